import type { Arrival, Completion, PendingInvocation, RunLedger } from './ledger';

/** An in-memory RunLedger for controller tests: the same transitions, no database. */
export interface MemoryInvocation extends PendingInvocation {
	state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'dropped';
	output?: Completion['output'];
	error?: string;
}

export class MemoryLedger implements RunLedger {
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
	finish(): void {
		this.running = false;
		for (const row of this.rows) if (row.state === 'queued' || row.state === 'running') row.state = 'cancelled';
	}

	async markRunning(_runId: string, id: string, attempts: number): Promise<boolean> {
		const row = this.rows.find((r) => r.id === id);
		if (!this.running || !row || (row.state !== 'queued' && row.state !== 'running')) return false;
		row.state = 'running';
		row.attempts = attempts;
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

	count(state: MemoryInvocation['state']): number {
		return this.rows.filter((r) => r.state === state).length;
	}
}
