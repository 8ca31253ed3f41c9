import { LoopDetector, maxPeriodFor, type Observation } from './detect';
import type { OutputFingerprint } from './fingerprint';
import type { FeedAnalysis } from '../shared/feed';

/** A completed output as recovered from the database after a restart. */
export interface PastOutput {
	seq: number;
	nodeId: string;
	exactHash: string;
}

/**
 * Live loop detection for one run, owned by its RunController: one LoopDetector fed each
 * completion as it is recorded. Keeps per node the hashes of its last own steps (its share of
 * the run's RUN_WINDOW given the plan's `nodes`, MAX_PERIOD at most) and the last vector, never
 * rescans: O(1) per step and bounded memory however long the run and however big the graph
 * (detect.ts says the bound). A resumed run replays its stored hashes first (without vectors:
 * convergence starts counting again, exact repeats are found as before); only the newest
 * RUN_WINDOW of them can matter.
 */
export class LoopWatcher {
	private readonly detector: LoopDetector;
	private shown: FeedAnalysis | null = null;

	/**
	 * `nodes`: the plan's node count, for each node's share of the window. `firstStep`: the run
	 * step of `history[0]` when the history is the run's newest outputs, not all of them.
	 */
	constructor(history: readonly PastOutput[] = [], options: { nodes?: number; firstStep?: number } = {}) {
		this.detector = new LoopDetector({ maxPeriod: maxPeriodFor(options.nodes ?? 1), firstStep: options.firstStep });
		for (const past of history) this.detector.observe(past);
		this.shown = this.current();
	}

	/** Entries the detector holds (for the bound's tests and benchmark). */
	get remembered(): number {
		return this.detector.remembered;
	}

	/** What the run map shows now (null: nothing to show). */
	get analysis(): FeedAnalysis | null {
		return this.shown;
	}

	/**
	 * Takes one completed output. `changed` is the run map's new `analysis` (null to clear it)
	 * when it differs from what is shown, undefined when it stays.
	 */
	observe(seq: number, nodeId: string, fingerprint: OutputFingerprint): { observation: Observation; changed?: FeedAnalysis | null } {
		const observation = this.detector.observe({ seq, nodeId, exactHash: fingerprint.exactHash, vector: fingerprint.vector, threshold: fingerprint.threshold });
		const next = this.current();
		if (sameAnalysis(next, this.shown)) return { observation };
		this.shown = next;
		return { observation, changed: next };
	}

	private current(): FeedAnalysis | null {
		const repeat = this.detector.fixedPoint;
		if (repeat) return { kind: repeat.kind, period: repeat.period, step: repeat.step, seq: repeat.seq, nodeId: repeat.nodeId, message: repeat.message };
		const converging = this.detector.convergence;
		if (converging) return { kind: 'converging', step: converging.sinceStep, seq: converging.seq, nodeId: converging.nodeId, message: converging.message };
		return null;
	}
}

const sameAnalysis = (a: FeedAnalysis | null, b: FeedAnalysis | null) =>
	a === b || (a !== null && b !== null && a.kind === b.kind && a.step === b.step && a.nodeId === b.nodeId && a.period === b.period);
