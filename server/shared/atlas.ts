import type { Modality } from './platforms/types';

/**
 * An attractor atlas (`GET /api/networks/:id/atlas`): where a set of runs ends up. Computed by
 * server/atlas/; shown by src/lib/atlas/AtlasView.svelte; printed by the experiment CLI;
 * written beside the runs they describe. Plain JSON, identical for identical runs.
 */
export interface Atlas {
	/** `panic-atlas`, so a file says what it is. */
	format: 'panic-atlas';
	/** What computed it: the same runs under another version may cluster differently. */
	version: { atlas: number; panic: string };
	/** Runs in the atlas (the basins of each modality sum to its `runs`). */
	runs: number;
	/** One section per modality that some run's outputs have, text, image, audio in that order. */
	modalities: AtlasModality[];
	/** The runs, in the atlas's stable order (by prompt, then content, then start). */
	runList: AtlasRun[];
}

export interface AtlasModality {
	kind: Modality;
	/** The embedder whose vectors were clustered, and the similarity that joins a cluster. */
	embedder: string;
	threshold: number;
	/** Runs with an end state of this modality (the sum of the basins). */
	runs: number;
	/** Biggest basin first; ids `T1`, `I1`, `A1`… in that order. */
	attractors: Attractor[];
	transitions: AtlasTransitions;
}

export interface AtlasOutput {
	kind: Modality;
	/** Text outputs, cut to 600 characters. */
	text?: string;
	/** Images and sounds: the stored asset's address. */
	url?: string;
	runId: string;
	seq: number;
}

export interface Attractor {
	id: string;
	/** The medoid end state first, then up to two other distinct ones. */
	examples: AtlasOutput[];
	/** Runs ending here. */
	basin: number;
	/** The prompts of those runs, with how many runs of each ended here, by prompt. */
	prompts: Array<{ prompt: string; runs: number }>;
	runIds: string[];
	/** Median step (of the whole run) from which the run's outputs of this modality stay here. */
	medianStepsToReach: number;
	/** Most common period of the runs ending here: 1 a fixed point, n an n-cycle, null no exact repeat. */
	period: number | null;
	/** Every period seen among those runs, with how many runs. */
	periods: Array<{ period: number | null; runs: number }>;
}

/**
 * How runs move between attractors, step by step: every output of the modality is assigned to
 * the attractor whose end states it resembles (or to `transient`). `states` lists the
 * attractor ids then `transient`; `counts[i][j]` counts steps from state i to state j
 * (self-transitions included), summed over runs.
 */
export interface AtlasTransitions {
	states: string[];
	counts: number[][];
	/** Mean length of an unbroken stay in each state (in steps of this modality), null when never visited. */
	dwell: Array<number | null>;
	/** Attractors that runs entered and never left (transient is never absorbing). */
	absorbing: string[];
}

export interface AtlasRun {
	runId: string;
	prompt: string;
	/** Completed outputs. */
	steps: number;
	/** Per modality of the atlas: where the run ended, from which step it stayed, its period. */
	ends: Array<{ kind: Modality; attractor: string; reachedAt: number; period: number | null }>;
	/** Per modality, the state of each output of that modality in order (attractor id or null = transient). */
	paths: Array<{ kind: Modality; states: Array<string | null> }>;
}

export const TRANSIENT = 'transient';

/**
 * What the atlas page shows of an atlas: everything but the run list and each basin's run ids
 * (the JSON has them). The page sends this to the browser, a fraction of the atlas: the run
 * list grows with runs × steps, the view with attractors only.
 */
export interface AtlasForView {
	version: Atlas['version'];
	runs: number;
	modalities: Array<Omit<AtlasModality, 'attractors'> & { attractors: Array<Omit<Attractor, 'runIds'>> }>;
}

export function atlasForView(atlas: Atlas): AtlasForView {
	return {
		version: atlas.version,
		runs: atlas.runs,
		modalities: atlas.modalities.map((m) => ({ ...m, attractors: m.attractors.map(({ runIds: _, ...a }) => a) }))
	};
}
