import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunAnalysis } from '../shared/analysis';
import { EngineEvents } from './events';
import type { InvocationRow, RunRow } from './run-reader';
import { RunStreams, TAIL } from './run-streams';

/** A run row as the reader returns it, with `count` invocations so far. */
const runRow = (status: string, count: number): RunRow =>
	({
		id: 'r1',
		networkId: 'n1',
		startedBy: 'u1',
		input: { kind: 'text', text: 'sea' },
		status,
		pausedAt: null,
		stopCause: status === 'running' ? null : 'stopped',
		error: null,
		settings: {},
		startedAt: new Date(0),
		endedAt: null,
		importedAt: null,
		nextSeq: count + 1,
		graph: {}
	}) as unknown as RunRow;

const invocation = (seq: number) => ({ id: `i${seq}`, runId: 'r1', seq, nodeId: 'a', modelId: 'm', state: 'completed', input: { kind: 'text', text: 'x' }, output: null }) as unknown as InvocationRow;

const analysis = (steps: number): RunAnalysis => ({
	runId: 'r1',
	steps,
	fromStep: 1,
	embedder: 'local/text',
	fixedPoint: null,
	converging: null,
	drift: Array.from({ length: steps }, (_, i) => ({ seq: i + 1, step: i + 1, nodeId: 'a', kind: 'text', toInput: 0.5, toPrevious: 0.5 })),
	recurrence: { seqs: [], matrix: [] },
	cycles: [],
	clusters: []
});

describe('RunStreams', () => {
	let events: EngineEvents;
	let count: number;
	let status: string;
	let analyses: number;
	let reads: number;
	/** The database as it answers while a step starts: the run's row said `count`, and the
	 * invocation after it is already there when the tail is read. */
	let racing: boolean;
	/** How long an analysis takes (a long run's window takes a while). */
	let analysisMs: number;
	let streams: RunStreams;

	beforeEach(() => {
		vi.useFakeTimers();
		events = new EngineEvents();
		count = 1;
		status = 'running';
		analyses = 0;
		reads = 0;
		analysisMs = 0;
		racing = false;
		streams = new RunStreams({
			events,
			networks: { access: async () => ({ network: { locked: false }, role: 'owner', throughVisibility: false }) },
			admission: { admit: () => ({ ok: true, release: () => {} }) },
			reader: {
				get: async () => (reads++, runRow(status, count)),
				invocations: async (_run, after = 0, limit = 200) => {
					const rows = Array.from({ length: Math.min(limit, count - after) }, (_, i) => invocation(after + i + 1));
					return racing ? [...rows, invocation(count + 1)] : rows;
				},
				spend: async () => new Map(),
				outputs: async () => new Map()
			},
			analyse: async () => {
				if (analysisMs) await new Promise((resolve) => setTimeout(resolve, analysisMs));
				analyses++;
				return analysis(count);
			},
			refreshMs: 100,
			analysisEveryMs: 2000
		});
	});
	afterEach(async () => {
		await streams.close();
		vi.useRealTimers();
	});

	/** Reads a stream's events as they come (the stream is never awaited to its end). */
	function collect(stream: ReadableStream<Uint8Array>) {
		const seen: Array<{ event: string; data: any }> = [];
		const reader = stream.getReader();
		const decoder = new TextDecoder();
		let buffer = '';
		const done = (async () => {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) return;
				buffer += decoder.decode(value, { stream: true });
				for (let end; (end = buffer.indexOf('\n\n')) !== -1; buffer = buffer.slice(end + 2)) {
					const block = buffer.slice(0, end);
					const name = /^event: (.*)$/m.exec(block)?.[1];
					if (name) seen.push({ event: name, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) });
				}
			}
		})();
		return { seen, done };
	}

	it('a burst of invocations is read a few times and analysed at most every 2 s, not once per invocation', async () => {
		const { seen } = collect(await streams.watch('r1', { user: { id: 'u1', is_admin: false } as never, session: { id: 's1' } }, 'addr'));
		await vi.advanceTimersByTimeAsync(0);
		expect(seen.map((e) => e.event)).toEqual(['run', 'invocations', 'analysis']);
		const [readsBefore, analysesBefore] = [reads, analyses];
		// 100 invocations over 1 s: one event every 10 ms.
		for (let i = 0; i < 100; i++) {
			count++;
			events.emit('card', { networkId: 'n1', runId: 'r1', card: {} as never });
			await vi.advanceTimersByTimeAsync(10);
		}
		await vi.advanceTimersByTimeAsync(3000);
		expect(reads - readsBefore).toBeLessThanOrEqual(12);
		expect(analyses - analysesBefore).toBeLessThanOrEqual(2);
		const last = seen.filter((e) => e.event === 'invocations').at(-1)!.data;
		expect(last.total).toBe(101);
		expect(last.items).toHaveLength(TAIL);
		expect(seen.filter((e) => e.event === 'analysis').at(-1)!.data.analysis.steps).toBe(101);
		// Another run's events are not this stream's business.
		const readsNow = reads;
		events.emit('card', { networkId: 'n2', runId: 'other', card: {} as never });
		await vi.advanceTimersByTimeAsync(1000);
		expect(reads).toBe(readsNow);
	});

	it('a step that starts between the run’s read and the tail’s waits for the next read: the tail ends at its total', async () => {
		racing = true;
		const { seen } = collect(await streams.watch('r1', { user: { id: 'u1', is_admin: false } as never, session: { id: 's1' } }, 'addr'));
		for (let i = 0; i < 12; i++) {
			count++;
			events.emit('card', { networkId: 'n1', runId: 'r1', card: {} as never });
			await vi.advanceTimersByTimeAsync(150);
		}
		const pages = seen.filter((e) => e.event === 'invocations').map((e) => e.data);
		expect(pages.length).toBeGreaterThan(1);
		for (const page of pages) expect(page.items.at(-1).seq).toBe(page.total);
		expect(pages.at(-1).total).toBe(13);
	});

	it('an analysis that takes long is recomputed no more than a fifth of the time (issue 18)', async () => {
		analysisMs = 1000;
		collect(await streams.watch('r1', { user: { id: 'u1', is_admin: false } as never, session: { id: 's1' } }, 'addr'));
		// A step every 100 ms for 30 s: every 2 s would be 15 analyses, 15 s of the 30 spent analysing.
		for (let i = 0; i < 300; i++) {
			count++;
			events.emit('card', { networkId: 'n1', runId: 'r1', card: {} as never });
			await vi.advanceTimersByTimeAsync(100);
		}
		// Each waits five times as long as the last took: one start every 5 s.
		expect(analyses).toBeGreaterThanOrEqual(5);
		expect(analyses).toBeLessThanOrEqual(7);
	});

	it('when the run ends, the last state goes out, then end, and the stream closes; access taken away closes with the reason', async () => {
		const viewer = { user: { id: 'u1', is_admin: false } as never, session: { id: 's1' } };
		const a = collect(await streams.watch('r1', viewer, 'addr'));
		const b = collect(await streams.watch('r1', { user: { id: 'u2', is_admin: false } as never, session: { id: 's2' } }, 'addr'));
		await vi.advanceTimersByTimeAsync(0);
		expect(streams.disconnect('n1', (v) => v.userId === 'u2', 'You were removed from this network.')).toBe(1);
		await b.done;
		expect(b.seen.at(-1)).toEqual({ event: 'closed', data: { reason: 'You were removed from this network.' } });

		count = 5;
		status = 'stopped';
		events.emit('ended', { networkId: 'n1', runId: 'r1', cause: 'stopped', completedSteps: 5 });
		await vi.advanceTimersByTimeAsync(0);
		await a.done;
		expect(a.seen.at(-1)).toEqual({ event: 'end', data: { status: 'stopped', stopCause: 'stopped' } });
		expect(a.seen.filter((e) => e.event === 'invocations').at(-1)!.data.total).toBe(5);
		expect(streams.watching('r1')).toBe(0);
	});
});
