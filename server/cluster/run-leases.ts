/** Why a process stopped holding a run. */
export type HoldEnd =
	/** The run ended (by itself, or stopped, paused runs included): nobody needs to hold it. */
	| 'ended'
	/** This process is shutting down: another should take the run over at once. */
	| 'released'
	/** Another process took the run over (this one was frozen or cut off): it wrote nothing more. */
	| 'lost';

/** A run held by this process; `done` settles when it no longer holds it. */
export interface Holding {
	readonly done: Promise<HoldEnd>;
}

/** What the leases ask of the engine (server/engine/engine.ts). */
export interface RunHost {
	/**
	 * Takes a running run over here (its fencing token bumped) and puts it in motion from its
	 * stored state; null when it is not running (nothing to hold).
	 */
	take(runId: string): Promise<Holding | null>;
	/** The lease of a run held here could not be renewed: stop holding it at once, writing nothing. */
	lost(runId: string): void;
}

/**
 * Who holds each running run. In the single process, this one does, at once; in cluster mode,
 * whichever process takes the run's BullMQ job. Either way the engine's `take` does the work,
 * so both shapes resume a run from the same stored state through the same code.
 */
export interface RunLeases {
	/** A run was recorded running: have it held (here at once, or by whoever takes its job). */
	place(runId: string): Promise<void>;
	/** Start-up: every run the database marks running gets a holder. Returns how many this call placed. */
	adopt(runIds: readonly string[]): Promise<number>;
	/** Takes no more runs; resolves once every run held here has been handed back. */
	close(): Promise<void>;
}

export type Log = Pick<Console, 'warn' | 'error'>;

/** The single process: every run is held here, taken the moment it is placed. */
export class LocalRunLeases implements RunLeases {
	constructor(
		private readonly host: RunHost,
		private readonly log: Log = console
	) {}

	async place(runId: string): Promise<void> {
		await this.host.take(runId);
	}

	async adopt(runIds: readonly string[]): Promise<number> {
		let taken = 0;
		for (const runId of runIds) {
			try {
				if (await this.host.take(runId)) taken++;
			} catch (error) {
				// Left running in the database: a stop still ends it, and the next start replaces it.
				this.log.error(`[engine] could not resume run ${runId}`, error);
			}
		}
		return taken;
	}

	async close(): Promise<void> {}
}
