import { describe, expect, it } from 'vitest';
import { finalDrift, formatTable, mean, median, summarise, toCsv, type RunResult } from './summary';

type Drift = Parameters<typeof finalDrift>[0];
const point = (seq: number, toInput: number | null, kind: 'text' | 'image' = 'text'): Drift[number] => ({
	seq,
	step: seq,
	nodeId: kind === 'text' ? 'c' : 'p',
	kind,
	toInput,
	toPrevious: null
});

function result(over: Partial<RunResult> & { prompt: string; run: number; runId: string }): RunResult {
	return {
		network: { id: 'n1', name: 'loop', file: 'loop.panic.json' },
		status: 'stopped',
		stopCause: 'budget',
		error: null,
		steps: 20,
		durationMs: 100,
		fixedPoint: null,
		converging: null,
		finalDrift: null,
		cycles: [],
		clusters: { count: 0, sizes: [], representativeSeqs: [] },
		embedder: 'local',
		...over
	};
}

const fixed = (step: number, period = 1) => ({ kind: period === 1 ? ('fixed_point' as const) : ('cycle' as const), period, step, seq: step, nodeId: 'c', message: '' });
const drifted = (similarity: number) => ({ seq: 20, step: 20, nodeId: 'c', similarity, drift: 1 - similarity });

describe('median and mean', () => {
	it('median of odd and even counts, unsorted input, nothing', () => {
		expect(median([7, 1, 4])).toBe(4);
		expect(median([10, 2, 4, 8])).toBe(6);
		expect(median([5])).toBe(5);
		expect(median([])).toBeNull();
	});

	it('mean, and null for nothing', () => {
		expect(mean([0.5, 0.25, 0.75])).toBe(0.5);
		expect(mean([])).toBeNull();
	});
});

describe('finalDrift', () => {
	it('is the similarity to the input of the last output that could be compared with it', () => {
		// text → image → text …: image outputs have no similarity to a text prompt.
		const drift = [point(1, null, 'image'), point(2, 0.9), point(3, null, 'image'), point(4, 0.6), point(5, null, 'image')];
		expect(finalDrift(drift)).toEqual({ seq: 4, step: 4, nodeId: 'c', similarity: 0.6, drift: 0.4 });
	});

	it('goes by seq, not by array order', () => {
		expect(finalDrift([point(9, 0.2), point(3, 0.8)])?.similarity).toBe(0.2);
	});

	it('is null when nothing compares (or nothing ran)', () => {
		expect(finalDrift([point(1, null, 'image')])).toBeNull();
		expect(finalDrift([])).toBeNull();
	});
});

describe('summarise', () => {
	const results = [
		result({ prompt: 'red circle', run: 1, runId: 'r1', fixedPoint: fixed(4), finalDrift: drifted(0.5) }),
		result({ prompt: 'red circle', run: 2, runId: 'r2', fixedPoint: fixed(8, 2), finalDrift: drifted(0.7) }),
		result({ prompt: 'red circle', run: 3, runId: 'r3', fixedPoint: null, finalDrift: null }),
		result({ prompt: 'sea', run: 1, runId: 's1' }),
		result({ network: { id: 'n2', name: 'other', file: 'o.json' }, prompt: 'red circle', run: 1, runId: 'o1', fixedPoint: fixed(3), finalDrift: drifted(1) })
	];

	it('one row per network × prompt, in the order runs came', () => {
		const rows = summarise(results);
		expect(rows.map((r) => [r.network, r.prompt, r.runs])).toEqual([
			['loop', 'red circle', 3],
			['loop', 'sea', 1],
			['other', 'red circle', 1]
		]);
	});

	it('steps to fixed point: median over the runs that reached one; periods distinct; drift mean over runs that have one', () => {
		const [row] = summarise(results);
		expect(row).toMatchObject({
			reachedFixedPoint: 2,
			medianStepsToFixedPoint: 6,
			periods: [1, 2],
			runIds: ['r1', 'r2', 'r3']
		});
		expect(row.meanFinalDrift).toBeCloseTo(0.4); // similarities 0.5 and 0.7: drifts 0.5 and 0.3
	});

	it('a row where nothing settled has no median, periods or drift', () => {
		expect(summarise(results)[1]).toMatchObject({ reachedFixedPoint: 0, medianStepsToFixedPoint: null, periods: [], meanFinalDrift: null });
	});

	it('formats as an aligned table and as CSV', () => {
		const rows = summarise(results);
		const table = formatTable(rows).split('\n');
		expect(table[0].split(/ {2,}/)).toEqual(['network', 'prompt', 'runs', 'fixed point', 'median steps', 'periods', 'final drift', 'run ids']);
		expect(table[2].split(/ {2,}/)).toEqual(['loop', 'red circle', '3', '2/3', '6', '1,2', '0.400', 'r1 r2 r3']);
		expect(table[3].split(/ {2,}/)).toEqual(['loop', 'sea', '1', '0/1', '-', '-', '-', 's1']);
		const csv = toCsv(rows).split('\r\n');
		expect(csv[1]).toBe('loop,n1,red circle,3,2,6,1 2,0.4,r1 r2 r3');
		expect(csv[2]).toBe('loop,n1,sea,1,0,,,,s1');
	});

	it('shortens long prompts in the table, not in the CSV', () => {
		const long = 'a'.repeat(60);
		const rows = summarise([result({ prompt: long, run: 1, runId: 'x' })]);
		expect(formatTable(rows)).toContain(`${'a'.repeat(31)}…`);
		expect(toCsv(rows)).toContain(long);
	});

	it('defuses a prompt a spreadsheet would run as a formula', () => {
		const rows = summarise([result({ prompt: '=HYPERLINK("https://evil.example","click")', run: 1, runId: 'x' })]);
		expect(toCsv(rows).split('\r\n')[1]).toBe(`loop,n1,"'=HYPERLINK(""https://evil.example"",""click"")",1,0,,,,x`);
	});
});
