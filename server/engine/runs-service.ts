import { z } from 'zod';
import type { PublicUser } from '../auth/sessions';
import { badRequest, forbidden, notFound } from '../errors';
import { canEdit } from '../networks/access';
import type { Networks } from '../networks/networks';
import { sniffAudioMime, sniffImageMime } from '../platforms/hosted/media';
import type { Payload } from '../shared/platforms/types';
import type { Engine } from './engine';
import { payloadView } from './payloads';
import type { InvocationRow, RunReader, RunRow } from './run-reader';

/** The largest text input a run accepts. */
export const MAX_INPUT_TEXT = 10_000;

const textInput = z.string().trim().min(1, { error: 'Give the run some input text.' }).max(MAX_INPUT_TEXT);
const base64 = z.string().max(8 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'dataBase64 must be base64.' });

export const startRunSchema = z
	.object({
		input: z.union([
			textInput,
			z.object({ kind: z.literal('text'), text: textInput }).strict(),
			z.object({ kind: z.literal('image'), dataBase64: base64, mime: z.literal('image/png') }).strict(),
			z.object({ kind: z.literal('audio'), dataBase64: base64, mime: z.literal('audio/wav') }).strict()
		]),
		startNodeId: z.string().min(1).max(64).optional()
	})
	.strict();

export const runPageSchema = z.object({
	after: z.coerce.number().int().min(0).optional(),
	limit: z.coerce.number().int().min(1).max(1000).optional()
});

/**
 * A start request's input as a payload. Binaries are checked by the magic-byte sniffing that
 * provider outputs pass (a RIFF file is WAV only when its form is WAVE), so the first model
 * gets what the request says it is.
 */
export function inputPayload(input: z.infer<typeof startRunSchema>['input']): Payload {
	if (typeof input === 'string') return { kind: 'text', text: input };
	if (input.kind === 'text') return { kind: 'text', text: input.text };
	const decoded = Buffer.from(input.dataBase64, 'base64');
	const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength); // a view: no element-wise copy
	const found = input.kind === 'image' ? sniffImageMime(bytes) : sniffAudioMime(bytes);
	if (found !== input.mime) {
		throw badRequest(`The ${input.kind} is not a valid ${input.mime} file${found ? ` (its bytes are ${found})` : ''}.`);
	}
	return input.kind === 'image' ? { kind: 'image', bytes, mime: input.mime } : { kind: 'audio', bytes, mime: input.mime };
}

/**
 * Runs as the API sees them: who may start, stop and read, and the JSON shapes. Owners and
 * editors start and stop; anyone who may see the network reads; a site admin may stop any.
 */
export class RunsService {
	constructor(
		private engine: Engine,
		private networks: Networks,
		private reader: RunReader
	) {}

	async start(networkId: string, user: PublicUser, body: z.infer<typeof startRunSchema>) {
		await this.networks.requireEditor(networkId, user);
		return this.engine.start(networkId, inputPayload(body.input), user.id, { startNodeId: body.startNodeId });
	}

	/** The network's runs, newest first (at most `limit`). */
	async list(networkId: string, user: PublicUser | null, limit = 100) {
		await this.networks.access(networkId, user);
		const runs = await this.reader.list(networkId, limit);
		const spend = await this.reader.spend(runs.map((r) => r.id));
		return runs.map((run) => runJson(run, spend.get(run.id) ?? 0));
	}

	/**
	 * What the network's pages show beside the canvas: spend over all its runs and, for
	 * people who may start runs, the keys its owner lacks for a run from the start node.
	 */
	async overview(networkId: string, user: PublicUser | null) {
		const { network, role } = await this.networks.access(networkId, user);
		const spendUsd = await this.reader.networkSpend(networkId);
		const missingKeys = canEdit(role) ? await this.engine.missingKeys(networkId, network.ownerId) : [];
		return { spendUsd, missingKeys };
	}

	async get(runId: string, user: PublicUser | null, page: z.infer<typeof runPageSchema>) {
		const run = await this.readable(runId, user);
		const limit = page.limit ?? 200;
		// A step that starts between the run's read and its invocations' would be listed past the
		// count the run says it has: it waits for the next read, as on the live stream.
		const count = run.nextSeq - 1;
		const invocations = (await this.reader.invocations(runId, page.after ?? 0, limit)).filter((inv) => inv.seq <= count);
		const spend = await this.reader.spend([runId]);
		return {
			...runJson(run, spend.get(runId) ?? 0),
			// The wiring the run followed (the network may have changed since).
			graph: run.graph,
			invocations: invocations.map(invocationJson),
			nextAfter: invocations.length === limit ? invocations[invocations.length - 1].seq : null
		};
	}

	async stop(runId: string, user: PublicUser) {
		await this.controllable(runId, user, 'stop');
		const stopped = await this.engine.stop(runId, 'stopped');
		const spend = await this.reader.spend([runId]);
		return { ...runJson((await this.reader.get(runId))!, spend.get(runId) ?? 0), stoppedNow: stopped };
	}

	/** Holds a running run's new starts (a facilitator's pause); 409 once it has ended. */
	async pause(runId: string, user: PublicUser) {
		await this.controllable(runId, user, 'pause');
		const run = await this.engine.pauseRun(runId);
		return runJson(run, (await this.reader.spend([runId])).get(runId) ?? 0);
	}

	async resume(runId: string, user: PublicUser) {
		await this.controllable(runId, user, 'resume');
		const run = await this.engine.resumeRun(runId);
		return runJson(run, (await this.reader.spend([runId])).get(runId) ?? 0);
	}

	/** Owners and editors steer runs; a site admin may steer any they can see. */
	private async controllable(runId: string, user: PublicUser, verb: 'stop' | 'pause' | 'resume'): Promise<RunRow> {
		const run = await this.readable(runId, user);
		const { role } = await this.networks.access(run.networkId, user);
		if (!canEdit(role) && !user.is_admin) throw forbidden(`Only the owner and invited editors can ${verb} runs.`);
		return run;
	}

	/** The run, if `user` may see its network (404 otherwise, so hidden runs stay hidden). */
	async readable(runId: string, user: PublicUser | null): Promise<RunRow> {
		const run = await this.reader.get(runId);
		if (!run) throw notFound('No such run.');
		try {
			await this.networks.access(run.networkId, user);
		} catch {
			throw notFound('No such run.');
		}
		return run;
	}
}

/** A run as the API shows it; `spendUsd` is the sum of its invocations' cost estimates. */
export function runJson(run: RunRow, spendUsd: number) {
	return {
		id: run.id,
		networkId: run.networkId,
		/** 0 is the network's own run (the one its canvas and audience see); 1–3 are an experiment's extra lanes. */
		lane: run.lane,
		startedBy: run.startedBy,
		input: payloadView(run.input),
		status: run.status,
		/** Set while the run is paused (its status stays 'running': it still holds the network). */
		pausedAt: run.pausedAt,
		stopCause: run.stopCause,
		error: run.error,
		spendUsd,
		settings: run.settings,
		startedAt: run.startedAt,
		endedAt: run.endedAt,
		/** Set on runs imported from an export (they never resume). */
		importedAt: run.importedAt,
		invocationCount: run.nextSeq - 1
	};
}

export function invocationJson(inv: InvocationRow) {
	return {
		...inv,
		input: payloadView(inv.input),
		output: inv.output ? payloadView(inv.output) : null
	};
}
