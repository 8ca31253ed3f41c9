import { z } from 'zod';
import { displayNameSchema } from '../auth/display-name';
import { MAX_SNAPSHOT_CARDS } from '../audience/feed-stream';
import { PLATFORMS, type PlatformId } from '../shared/platforms/types';
import { EXPERIMENT_LIMITS } from '../shared/experiments';

/**
 * Request schemas that used to sit inline in their +server.ts: here, so the route validates
 * with the very object the OpenAPI description (server/http/openapi) is generated from.
 */

/** PATCH /api/admin/settings. */
export const siteSettingsSchema = z.object({ signupOpen: z.boolean() }).strict();

/** POST /api/auth/login. Log-in checks only shape, not password rules, so old accounts keep working if rules change. */
export const loginSchema = z.object({ email: z.string().max(254), password: z.string().max(1024) });

/** PATCH /api/me: `{ displayName }`, the name others see (`null` goes back to the default). */
export const updateMeSchema = z.object({ displayName: displayNameSchema.nullable() }).strict();

/** POST /api/me/availability/check: one platform, or all the user can check. */
export const availabilityCheckSchema = z.object({ platform: z.enum(PLATFORMS as [PlatformId, ...PlatformId[]]).optional() }).strict();

/** POST /api/networks/:id/audience/remove. */
export const removeAudienceSchema = z.object({ sessionIds: z.array(z.string().min(1).max(64)).min(1).max(1000) }).strict();
export const REMOVE_AUDIENCE_MAX_BODY = 128 * 1024;

/** POST /api/networks/:id/prompts. The text is cleaned and limited to 500 characters by the queue; this only bounds the body. */
export const promptSchema = z.object({ text: z.string().max(5000) }).strict();
export const PROMPT_MAX_BODY = 16 * 1024;

/** POST /api/networks/:id/prompts/:promptId/reject: an optional reason its sender sees. */
export const rejectPromptSchema = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();
export const REJECT_MAX_BODY = 4096;

/** GET /api/networks/:id/feed. */
export const feedQuerySchema = z.object({
	cards: z.coerce.number().int().min(1).max(MAX_SNAPSHOT_CARDS).optional(),
	/** A kiosk screen's token (display machines log in with nothing else). */
	kiosk: z.string().max(64).optional()
});

/** GET /api/runs/:id/export: which file. */
export const runExportQuerySchema = z.object({ format: z.enum(['json', 'zip', 'csv'], { error: 'format is json, zip or csv.' }).optional() });

/** POST /api/networks/:id/experiments (and …/estimate): a prompt list × runs × a step budget, within EXPERIMENT_LIMITS. */
export const startExperimentSchema = z
	.object({
		prompts: z
			.array(z.string().trim().min(1, { error: 'A prompt is empty.' }).max(EXPERIMENT_LIMITS.promptLength, { error: `A prompt may have at most ${EXPERIMENT_LIMITS.promptLength} characters.` }))
			.min(1, { error: 'Give at least one prompt.' })
			.max(EXPERIMENT_LIMITS.prompts, { error: `At most ${EXPERIMENT_LIMITS.prompts} prompts.` }),
		runs: z.number().int().min(1).max(EXPERIMENT_LIMITS.runs).default(1),
		steps: z.number().int().min(1).max(EXPERIMENT_LIMITS.steps),
		concurrency: z
			.number()
			.int({ error: 'concurrency: a whole number of runs at once.' })
			.min(1, { error: 'concurrency: at least 1 run at once.' })
			.max(EXPERIMENT_LIMITS.concurrency, { error: `concurrency: at most ${EXPERIMENT_LIMITS.concurrency} runs at once.` })
			.default(1)
			.describe('Runs going at once, each on its own lane of the network; each counts against the owner’s run limit.')
	})
	.strict()
	.refine((b) => b.prompts.length * b.runs <= EXPERIMENT_LIMITS.totalRuns, { error: `At most ${EXPERIMENT_LIMITS.totalRuns} runs in all (prompts × runs per prompt).`, path: ['runs'] })
	.refine((b) => b.prompts.length * b.runs * b.steps <= EXPERIMENT_LIMITS.totalSteps, { error: `At most ${EXPERIMENT_LIMITS.totalSteps} steps in all (prompts × runs × steps).`, path: ['steps'] });
/** As the schema hands it over; `concurrency` may be left out by callers in the domain (1). */
export type StartExperimentInput = Omit<z.infer<typeof startExperimentSchema>, 'concurrency'> & { concurrency?: number };
export const EXPERIMENT_MAX_BODY = 512 * 1024;
