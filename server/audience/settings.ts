import { z } from 'zod';

/**
 * A network's audience settings (stored in `networks.audience`, edited by the owner through
 * PATCH /api/networks/:id `{ audience: {...} }`). Every field is optional there and merges key
 * by key; `resolveAudienceSettings` fills in the defaults below.
 */
const phrase = z
	.string()
	.trim()
	.min(1, { error: 'Blocklist entries cannot be empty.' })
	.max(100, { error: 'Blocklist entries are at most 100 characters.' });

export const audienceSettingsSchema = z
	.object({
		/** How often the projector's join code changes (seconds). */
		rotateSeconds: z.number().int().min(30).max(86_400).optional(),
		/** How long a code keeps working after it was minted (seconds). At least two minutes, so a code never expires while shown. */
		codeValidSeconds: z.number().int().min(120).max(7 * 86_400).optional(),
		/** 'auto': prompts start runs in order; 'moderated': a facilitator approves each one first. */
		queueMode: z.enum(['auto', 'moderated']).optional(),
		/** Words or phrases that get a prompt refused (case-insensitive, whole words). */
		blocklist: z.array(phrase).max(200, { error: 'The blocklist holds at most 200 entries.' }).optional(),
		/** Sustained prompts per minute per audience session (or member). */
		promptsPerMinute: z.number().int().min(1).max(60).optional(),
		/** How many prompts one person may send in a row before the per-minute rate applies. */
		promptBurst: z.number().int().min(1).max(20).optional(),
		/** Prompts waiting at most; when full, a prompt gets in only by taking the place of someone holding more (queue-share.ts). */
		maxQueue: z.number().int().min(1).max(5000).optional(),
		/** Prompts one audience member may have waiting at once (hosts have no such cap). */
		maxWaitingPerPerson: z.number().int().min(1).max(100).optional()
	})
	.strict();

export type AudienceSettingsInput = z.infer<typeof audienceSettingsSchema>;
export type AudienceSettings = Required<AudienceSettingsInput>;

/**
 * A phone should be able to send a few prompts in a row (a second thought, a typo fixed), but
 * not flood the queue: three at once, then one every twenty seconds, and three waiting at most.
 */
export const AUDIENCE_DEFAULTS: AudienceSettings = {
	rotateSeconds: 300,
	codeValidSeconds: 3600,
	queueMode: 'auto',
	blocklist: [],
	promptsPerMinute: 3,
	promptBurst: 3,
	maxQueue: 200,
	maxWaitingPerPerson: 3
};

/**
 * The stored settings with defaults filled in. Field by field, so one value stored before a
 * bound changed falls back to its default instead of breaking the whole network.
 */
export function resolveAudienceSettings(stored: unknown): AudienceSettings {
	const source = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
	const shape = audienceSettingsSchema.shape;
	const resolved = { ...AUDIENCE_DEFAULTS } as Record<string, unknown>;
	for (const key of Object.keys(AUDIENCE_DEFAULTS) as (keyof AudienceSettings)[]) {
		if (source[key] === undefined) continue;
		const parsed = shape[key].safeParse(source[key]);
		if (parsed.success && parsed.data !== undefined) resolved[key] = parsed.data;
	}
	return resolved as AudienceSettings;
}
