import * as Y from 'yjs';

/**
 * Judges clients' updates before they reach a room's doc. Yjs cannot take an applied update
 * back, so the gate keeps a shadow copy of the doc: an incoming update is applied there first,
 * the room's WriteRule looks at what it changed, and only then does the room apply it for
 * real. A refused update is never applied to the room's doc, stored or sent to anyone; the
 * shadow is rebuilt from the room's doc.
 *
 * What the room applies is not the client's update but what the shadow integrated from it.
 * An update whose dependencies have not arrived yet waits in the shadow (Yjs keeps it
 * pending) and is judged, together with whatever completes it, when it integrates, so
 * nothing unjudged can sit in the room's doc and slip in later.
 */
export interface WriteRule {
	/** (Re)reads the whole doc: the shadow was built or rebuilt, or the server changed it. */
	reset(doc: Y.Doc): void;
	/** Judges one client transaction on the shadow: null accepts, a sentence refuses. */
	check(doc: Y.Doc, changed: ChangedTypes): string | null;
}

/** The types a transaction changed, each with the map keys changed (null: list content). */
export type ChangedTypes = Y.Transaction['changed'];

export interface GateLimits {
	/** The doc, history included, as one encoded update; beyond it client updates are refused. */
	maxDocBytes: number;
	/** Updates held back waiting for changes the server never received. */
	maxPendingBytes: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = { maxDocBytes: 8 * 1024 * 1024, maxPendingBytes: 1024 * 1024 };

export type Admission =
	/** `update` is what to apply to the room's doc; null when nothing integrated yet. */
	| { ok: true; update: Uint8Array | null }
	| { ok: false; reason: string };

const CLIENT = Symbol('client');

export class UpdateGate {
	private shadow!: Y.Doc;
	private integrated: { update: Uint8Array; changed: ChangedTypes } | null = null;
	/** The doc's encoded size, measured at the last rebuild or check, plus what was accepted since. */
	private estimatedBytes = 0;

	constructor(
		private readonly rule: WriteRule,
		private readonly source: () => Y.Doc,
		private readonly limits: GateLimits = DEFAULT_GATE_LIMITS
	) {
		this.rebuild();
	}

	/** Judges a client's update against the shadow; see the class comment. */
	admit(update: Uint8Array): Admission {
		this.integrated = null;
		try {
			Y.applyUpdate(this.shadow, update, CLIENT);
		} catch {
			return this.refuse('The update could not be applied.');
		}
		if (pendingBytes(this.shadow) > this.limits.maxPendingBytes) {
			return this.refuse('The update depends on changes the server never received.');
		}
		const integrated = this.integrated as UpdateGate['integrated'];
		if (!integrated) return { ok: true, update: null };
		let problem: string | null;
		try {
			problem = this.rule.check(this.shadow, integrated.changed) ?? this.sizeProblem(integrated.update.length);
		} catch (error) {
			// A rule that throws is a bug; the update is refused rather than let through unjudged.
			problem = `The update could not be checked (${(error as Error)?.message ?? 'error'}).`;
		}
		return problem ? this.refuse(problem) : { ok: true, update: integrated.update };
	}

	/** A change the room made itself (loading, the API, the server): trusted, mirrored as is. */
	follow(update: Uint8Array): void {
		Y.applyUpdate(this.shadow, update);
		this.estimatedBytes += update.length;
		this.rule.reset(this.shadow);
	}

	/** Starts over from the room's doc (after a refusal, or if the two could have drifted). */
	rebuild(): void {
		// What the last admission integrated names the old shadow's types, and through them its history.
		this.integrated = null;
		this.shadow?.destroy();
		this.shadow = new Y.Doc();
		this.shadow.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
			if (origin === CLIENT) this.integrated = { update, changed: transaction.changed };
		});
		const state = Y.encodeStateAsUpdate(this.source());
		Y.applyUpdate(this.shadow, state);
		this.estimatedBytes = state.length;
		this.rule.reset(this.shadow);
	}

	destroy(): void {
		this.shadow.destroy();
	}

	private refuse(reason: string): Admission {
		this.rebuild();
		return { ok: false, reason };
	}

	/**
	 * Measuring the doc means encoding all of it, so it is only done once the running
	 * estimate says the limit may have been crossed.
	 */
	private sizeProblem(added: number): string | null {
		this.estimatedBytes += added;
		if (this.estimatedBytes <= this.limits.maxDocBytes) return null;
		this.estimatedBytes = Y.encodeStateAsUpdate(this.shadow).length;
		if (this.estimatedBytes <= this.limits.maxDocBytes) return null;
		return `This document's history is full (${Math.floor(this.limits.maxDocBytes / 1024)} KB). Export it and import the file as a new network.`;
	}
}

function pendingBytes(doc: Y.Doc): number {
	return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0);
}
