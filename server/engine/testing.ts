import { storedExactHash } from '../analysis/exact-hash';
import type { PastOutput } from '../analysis/loop-watcher';
import type { Arrival, Completion, PendingInvocation, Recovered, RunLifecycleLedger } from './ledger';

/** An in-memory RunLedger for controller tests: the same transitions, no database. */
export interface MemoryInvocation extends PendingInvocation {
	state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'dropped';
	output?: Completion['output'];
	exactHash?: string;
	costUsd?: number;
	error?: string;
	startedAt?: Date;
}

/**
 * One run's invocations in memory, behaving as RunWriter does (tests/engine/ledger-contract
 * holds the two to the same behaviour).
 */
export class MemoryLedger implements RunLifecycleLedger {
	readonly rows: MemoryInvocation[] = [];
	running = true;
	private nextSeq = 1;
	private nextId = 1;

	seed(runId: string, arrival: Arrival, input: PendingInvocation['input']): PendingInvocation {
		const row: MemoryInvocation = { id: `i${this.nextId++}`, seq: this.nextSeq++, ...arrival, parentSeq: null, input, attempts: 0, state: 'queued' };
		this.rows.push(row);
		return { ...row };
	}

	/** What the engine does on stop: the run ends, its unfinished invocations are cancelled. */
	async finish(): Promise<boolean> {
		if (!this.running) return false;
		this.running = false;
		for (const row of this.rows) if (row.state === 'queued' || row.state === 'running') row.state = 'cancelled';
		return true;
	}

	async markRunning(_runId: string, id: string, attempts: number, at: Date): Promise<boolean> {
		const row = this.rows.find((r) => r.id === id);
		if (!this.running || !row || (row.state !== 'queued' && row.state !== 'running')) return false;
		row.state = 'running';
		row.attempts = attempts;
		row.startedAt = at;
		return true;
	}

	async complete(
		_runId: string,
		invocation: PendingInvocation,
		completion: Completion,
		arrivals: Arrival[],
		drops: { existing: string[]; arriving: number }
	): Promise<PendingInvocation[] | null> {
		const row = this.rows.find((r) => r.id === invocation.id);
		if (!this.running || row?.state !== 'running') return null;
		row.state = 'completed';
		row.output = completion.output;
		row.exactHash = completion.exactHash;
		row.costUsd = completion.costUsd;
		for (const id of drops.existing) {
			const dropped = this.rows.find((r) => r.id === id);
			if (dropped?.state === 'queued') dropped.state = 'dropped';
		}
		const queued: PendingInvocation[] = [];
		arrivals.forEach((arrival, i) => {
			const created: MemoryInvocation = {
				id: `i${this.nextId++}`,
				seq: this.nextSeq++,
				...arrival,
				parentSeq: invocation.seq,
				input: completion.output,
				attempts: 0,
				state: i < drops.arriving ? 'dropped' : 'queued'
			};
			this.rows.push(created);
			if (created.state === 'queued') queued.push({ ...created });
		});
		return queued;
	}

	async fail(_runId: string, id: string, error: string): Promise<boolean> {
		const row = this.rows.find((r) => r.id === id);
		if (!this.running || row?.state !== 'running') return false;
		row.state = 'failed';
		row.error = error;
		return true;
	}

	/** As after a restart: running ones go back to the queue, or fail at `maxAttempts`. */
	async recover(_runId: string, maxAttempts: number): Promise<Recovered> {
		// Read before the interrupted ones are reset, as the database ledger does.
		const starts = this.rows.flatMap((r) => (r.startedAt ? [r.startedAt.getTime()] : []));
		for (const row of this.rows) {
			if (row.state !== 'running') continue;
			if (row.attempts >= maxAttempts) {
				row.state = 'failed';
				row.error = 'Interrupted by a server restart too many times.';
			} else {
				row.state = 'queued';
				row.startedAt = undefined;
			}
		}
		const rows = [...this.rows].sort((a, b) => a.seq - b.seq);
		const pending = rows.filter((r) => r.state === 'queued').map(({ id, seq, nodeId, modelId, parentSeq, input, attempts }) => ({ id, seq, nodeId, modelId, parentSeq, input, attempts }));
		const history: PastOutput[] = rows
			.filter((r) => r.state === 'completed' && r.output)
			.map((r) => ({ seq: r.seq, nodeId: r.nodeId, exactHash: r.exactHash ?? storedExactHash(r.output!) }));
		return {
			pending,
			// The interrupted ones are about to be started again: counted once, then.
			started: rows.filter((r) => r.attempts > 0).length - pending.filter((p) => p.attempts > 0).length,
			completed: rows.filter((r) => r.state === 'completed').length,
			spendUsd: rows.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
			history,
			lastStartedAt: starts.length ? new Date(Math.max(...starts)) : null
		};
	}

	count(state: MemoryInvocation['state']): number {
		return this.rows.filter((r) => r.state === state).length;
	}
}
