import type { AnalysisFinding } from '../shared/analysis';
import { cosine } from './vector';

/**
 * Loop detection over a run's completed outputs, one at a time: exact repeats (fixed points
 * and cycles) from exact hashes, near repeats (convergence) from fingerprint similarity.
 * Incremental, so the engine updates it live at O(1) per output (a hash lookup and one
 * cosine), and the run analysis folds the same detector over the stored invocations: live
 * and after-the-fact detection cannot disagree on the same sequence.
 *
 * Periods count a node's own steps: a node whose output equals its previous output is at a
 * fixed point (period 1); equal to its output p of its own steps earlier, in a cycle of
 * period p. A cycle is a fixed point of the loop taken p times, which is why stopping "on
 * fixed points" stops on either.
 */
export interface ObservedOutput {
	seq: number;
	nodeId: string;
	exactHash: string;
	/** The output's fingerprint (unit length for local embedders); absent when none could be made. */
	vector?: readonly number[] | null;
	/** The near-repeat threshold of the embedder that made `vector` (else the detector's). */
	threshold?: number;
}

/** An exact fixed point or cycle, as the analysis page shows it (one type for both sides). */
export type ExactRepeat = AnalysisFinding;

export interface Convergence {
	kind: 'converging';
	/** The step of the first near repeat of the streak. */
	sinceStep: number;
	step: number;
	seq: number;
	nodeId: string;
	message: string;
}

/** A stretch of a node's outputs repeating with one period. */
export interface CycleSpan {
	nodeId: string;
	period: number;
	/** The step of the first output of the repeated pattern (its first pass). */
	fromStep: number;
	/** The step of the last output that kept repeating. */
	toStep: number;
}

/** What one observation tells. */
export interface Observation {
	step: number;
	/** Set on the observation that is the run's first exact repeat. */
	firstRepeat?: ExactRepeat;
	/** This output repeats one of the node's earlier outputs exactly, with this period. */
	period?: number;
	/** Similarity to the node's previous output (null for its first, or without vectors). */
	toPrevious: number | null;
	/** Whether the run's convergence state changed (appeared, moved or went away). */
	convergenceChanged: boolean;
}

export interface DetectorOptions {
	/** Similarity at or above which an output is a near repeat of the node's previous one (default 0.9). */
	threshold?: number;
	/** Consecutive near repeats of one node before the run counts as converging (default 3). */
	streak?: number;
	/** How many of each node's own latest steps exact repeats are looked for in (default `MAX_PERIOD`). */
	maxPeriod?: number;
	/** The run step of the first output given, when the outputs are the tail of a longer run (default 1). */
	firstStep?: number;
}

/**
 * The bound of live loop detection (issue 18): each node remembers the hashes of its last
 * `MAX_PERIOD` own steps, so an exact repeat is found when its period is at most that, and a
 * run of 100,000 steps holds no more than a run of 1,000 (~120 bytes a step remembered).
 * A cycle longer than 1,000 of one node's own steps goes unreported: the loops of
 * deterministic models seen so far settle within a handful, and nobody watching a screen
 * would see a longer one as a loop. It was 10,000 (3.5 MB a three-node run); a server with
 * a hundred runs held 350 MB for periods nobody had seen, and a day-long soak grew for hours
 * before the windows filled.
 */
export const MAX_PERIOD = 1_000;
/**
 * The run-wide bound on top of it: a run remembers about its last RUN_WINDOW steps in all, each
 * node its share of them (MAX_PERIOD at most). A three-node loop keeps MAX_PERIOD per node
 * (3,000 hashes, ~0.35 MB of heap); a graph of 500 nodes (the graph limit) keeps 12 own steps
 * per node, not 1,000 (half a million hashes, ~60 MB, once the run is long enough to fill them).
 */
export const RUN_WINDOW = 6_000;

/** Each node's window (`maxPeriod`) in a run over `nodes` nodes. */
export const maxPeriodFor = (nodes: number): number => Math.max(1, Math.min(MAX_PERIOD, Math.floor(RUN_WINDOW / Math.max(1, nodes))));
/** Cycle spans kept (the newest): a run flickering in and out of cycles keeps no more than these. */
export const MAX_CYCLE_SPANS = 500;

interface NodeHistory {
	/** Own-step index of the latest occurrence of each hash among the last `maxPeriod` own steps. */
	lastIndexOf: Map<string, number>;
	/** Own steps so far. */
	count: number;
	/** Ring of the last `maxPeriod` own steps: hash and run step of own step i at i % maxPeriod. */
	hashes: string[];
	steps: number[];
	previousVector: readonly number[] | null;
	previousHash: string | null;
	/** Near repeats in a row, and the step where the streak began. */
	streak: number;
	streakStart: number;
	/** The open cycle span, extended while the same period keeps repeating. */
	open: CycleSpan | null;
}

export const DEFAULT_STREAK = 3;

export class LoopDetector {
	private nodes = new Map<string, NodeHistory>();
	private steps: number;
	private first: ExactRepeat | null = null;
	private converging: Convergence | null = null;
	private spans: CycleSpan[] = [];
	private readonly streakNeeded: number;
	private readonly maxPeriod: number;

	constructor(private options: DetectorOptions = {}) {
		this.streakNeeded = options.streak ?? DEFAULT_STREAK;
		this.maxPeriod = Math.max(1, options.maxPeriod ?? MAX_PERIOD);
		this.steps = (options.firstStep ?? 1) - 1;
	}

	/** The run's first exact repeat (sticky), or null. */
	get fixedPoint(): ExactRepeat | null {
		return this.first;
	}

	/** The run's convergence now (it may come and go), or null. */
	get convergence(): Convergence | null {
		return this.converging;
	}

	/** The stretches of exact repetition found so far (the newest `MAX_CYCLE_SPANS`), in the order they began. */
	get cycles(): CycleSpan[] {
		return this.spans.slice(-MAX_CYCLE_SPANS).map((s) => ({ ...s }));
	}

	get step(): number {
		return this.steps;
	}

	/** Entries held (hashes in the maps and rings, cycle spans): what the bounds keep flat. */
	get remembered(): number {
		let held = this.spans.length;
		for (const node of this.nodes.values()) held += node.lastIndexOf.size + node.hashes.length + node.steps.length;
		return held;
	}

	/** Takes the next completed output (in completion order live, seq order after the fact). */
	observe(output: ObservedOutput): Observation {
		const step = ++this.steps;
		let node = this.nodes.get(output.nodeId);
		if (!node) {
			node = { lastIndexOf: new Map(), count: 0, hashes: [], steps: [], previousVector: null, previousHash: null, streak: 0, streakStart: 0, open: null };
			this.nodes.set(output.nodeId, node);
		}
		const index = node.count;
		const window = this.maxPeriod;
		const earlier = node.lastIndexOf.get(output.exactHash);
		// Then the own step `window` back leaves, taking its hash along (unless seen again since);
		// its ring slot is overwritten below.
		if (index >= window) {
			const leaving = node.hashes[index % window];
			if (node.lastIndexOf.get(leaving) === index - window) node.lastIndexOf.delete(leaving);
		}
		const period = earlier === undefined ? undefined : index - earlier;
		const observation: Observation = { step, period, toPrevious: null, convergenceChanged: false };

		if (period !== undefined) {
			if (!this.first) {
				this.first = repeatOf(period, step, output);
				observation.firstRepeat = this.first;
			}
			if (node.open && node.open.period === period && node.open.toStep === node.steps[(index - 1) % window]) node.open.toStep = step;
			else {
				node.open = { nodeId: output.nodeId, period, fromStep: node.steps[earlier! % window], toStep: step };
				this.spans.push(node.open);
				// Trimmed in batches, so keeping the newest costs O(1) a span.
				if (this.spans.length >= 2 * MAX_CYCLE_SPANS) this.spans = this.spans.slice(-MAX_CYCLE_SPANS);
			}
		} else node.open = null;

		// Near repeats: an exact repeat of the previous output is one whatever the vectors say.
		const vector = output.vector ?? null;
		if (node.previousHash !== null) {
			if (node.previousHash === output.exactHash) observation.toPrevious = 1;
			else if (vector && node.previousVector) observation.toPrevious = cosine(vector, node.previousVector);
		}
		const near = observation.toPrevious !== null && observation.toPrevious >= (output.threshold ?? this.options.threshold ?? 0.9);
		if (near) {
			if (node.streak === 0) node.streakStart = step;
			node.streak++;
		} else node.streak = 0;
		observation.convergenceChanged = this.updateConvergence(output, node, step);

		node.lastIndexOf.set(output.exactHash, index);
		node.hashes[index % window] = output.exactHash;
		node.steps[index % window] = step;
		node.count++;
		node.previousHash = output.exactHash;
		node.previousVector = vector;
		return observation;
	}

	/**
	 * The run converges while some node has near-repeated `streak` times in a row; the one
	 * reported is the node that has been converging longest.
	 */
	private updateConvergence(output: ObservedOutput, node: NodeHistory, step: number): boolean {
		const before = this.converging;
		if (node.streak >= this.streakNeeded) {
			if (before && before.nodeId !== output.nodeId) return false; // an older convergence stays the headline
			if (before?.nodeId === output.nodeId && before.sinceStep === node.streakStart) return false;
			this.converging = convergenceOf(node.streakStart, step, output);
			return true;
		}
		if (before?.nodeId !== output.nodeId) return false;
		// The reported node broke its streak: another still converging takes over, or none.
		let next: Convergence | null = null;
		for (const [nodeId, other] of this.nodes) {
			if (nodeId === output.nodeId || other.streak < this.streakNeeded) continue;
			if (!next || other.streakStart < next.sinceStep) next = convergenceOf(other.streakStart, step, { seq: output.seq, nodeId });
		}
		this.converging = next;
		return true;
	}
}

export function repeatOf(period: number, step: number, output: { seq: number; nodeId: string }): ExactRepeat {
	const kind = period === 1 ? 'fixed_point' : 'cycle';
	const message = period === 1 ? `Fixed point of period 1 reached at step ${step}` : `Cycle of period ${period} reached at step ${step}`;
	return { kind, period, step, seq: output.seq, nodeId: output.nodeId, message };
}

function convergenceOf(sinceStep: number, step: number, output: { seq: number; nodeId: string }): Convergence {
	return { kind: 'converging', sinceStep, step, seq: output.seq, nodeId: output.nodeId, message: `Converging since step ${sinceStep}` };
}

export interface Detection {
	steps: number;
	fixedPoint: ExactRepeat | null;
	converging: Convergence | null;
	cycles: CycleSpan[];
	/** Per output, in the order given: similarity to the node's previous output. */
	toPrevious: Array<number | null>;
}

/** The detector folded over a run's completed outputs (ordered by seq; a tail of them with `firstStep`). */
export function detectLoops(outputs: readonly ObservedOutput[], options: DetectorOptions = {}): Detection {
	const detector = new LoopDetector(options);
	const toPrevious = outputs.map((o) => detector.observe(o).toPrevious);
	return { steps: detector.step, fixedPoint: detector.fixedPoint, converging: detector.convergence, cycles: detector.cycles, toPrevious };
}
