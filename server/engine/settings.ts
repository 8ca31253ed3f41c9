import { z } from 'zod';

/**
 * A network's run settings (stored in `networks.settings`, edited through PATCH
 * /api/networks/:id). Every field is optional there; `resolveRunSettings` fills in the
 * defaults DESIGN.md gives, and the result is snapshot on each run.
 */
const ms = z.number().int().min(0).max(24 * 3600 * 1000);

/** Pacing: the delay between starting consecutive invocations, by how long the run has gone. */
export const pacingSchema = z.union([
	z.object({ fixedMs: ms }).strict(),
	z
		.object({
			/** Steps in order: until `untilSeconds` into the run, wait `delayMs` between starts. */
			schedule: z.array(z.object({ untilSeconds: z.number().min(0).max(10 * 365 * 86400), delayMs: ms }).strict()).max(20),
			/** After the last step. */
			thenMs: ms
		})
		.strict()
]);

export const budgetsSchema = z
	.object({
		maxInvocations: z.number().int().min(1).max(10_000_000).nullable().optional(),
		maxDurationSeconds: z.number().int().min(1).max(365 * 86400).nullable().optional(),
		/** Placeholder until hosted platforms report costs. */
		maxSpendUsd: z.number().min(0).max(100_000).nullable().optional()
	})
	.strict();

export const runSettingsSchema = z
	.object({
		maxConcurrent: z.number().int().min(1).max(32).optional(),
		pendingCap: z.number().int().min(1).max(10_000).optional(),
		pacing: pacingSchema.optional(),
		budgets: budgetsSchema.optional(),
		onError: z.enum(['stop', 'continue']).optional(),
		lockoutSeconds: z.number().int().min(0).max(86_400).optional(),
		/** Stop with `fixed_point` when a node's output repeats its previous output. */
		stopOnFixedPoint: z.boolean().optional(),
		/** Per-attempt model timeout. */
		invocationTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
		maxAttempts: z.number().int().min(1).max(10).optional()
	})
	.strict();

export type Pacing = z.infer<typeof pacingSchema>;
export type RunSettingsInput = z.infer<typeof runSettingsSchema>;

export interface RunSettings {
	maxConcurrent: number;
	pendingCap: number;
	pacing: Pacing;
	budgets: { maxInvocations: number | null; maxDurationSeconds: number | null; maxSpendUsd: number | null };
	onError: 'stop' | 'continue';
	lockoutSeconds: number;
	stopOnFixedPoint: boolean;
	invocationTimeoutSeconds: number;
	maxAttempts: number;
}

/** The original installation's slow-down: 1 s for the first 10 min, 15 s until an hour, then 10 min. */
export const DEFAULT_PACING: Pacing = {
	schedule: [
		{ untilSeconds: 600, delayMs: 1000 },
		{ untilSeconds: 3600, delayMs: 15_000 }
	],
	thenMs: 600_000
};

export const DEFAULT_RUN_SETTINGS: RunSettings = {
	maxConcurrent: 2,
	pendingCap: 16,
	pacing: DEFAULT_PACING,
	budgets: { maxInvocations: null, maxDurationSeconds: null, maxSpendUsd: null },
	onError: 'stop',
	lockoutSeconds: 30,
	stopOnFixedPoint: false,
	invocationTimeoutSeconds: 120,
	maxAttempts: 3
};

/**
 * The settings a run uses, from whatever is stored for the network. Stored values that no
 * longer validate (an older schema) fall back to the defaults instead of blocking runs.
 */
export function resolveRunSettings(stored: unknown): RunSettings {
	const parsed = runSettingsSchema.safeParse(stored ?? {});
	const s = parsed.success ? parsed.data : {};
	return {
		...DEFAULT_RUN_SETTINGS,
		...s,
		pacing: s.pacing ?? DEFAULT_RUN_SETTINGS.pacing,
		budgets: { ...DEFAULT_RUN_SETTINGS.budgets, ...s.budgets }
	} as RunSettings;
}
