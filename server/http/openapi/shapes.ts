import { z } from 'zod';
import { audienceSettingsSchema } from '../../audience/settings';
import { graphSchema } from '../../shared/graph/types';
import { PLATFORMS, type PlatformId } from '../../shared/platforms/types';

/**
 * Response shapes shared by several areas of the API description. Objects the routes answer
 * with a fixed set of fields are strict (a new field must be described here first); objects
 * that carry free-form data (settings, graphs, provider metrics) stay open.
 */

/** Every API error: DESIGN.md's `{ error, details? }`. */
export const errorShape = z.strictObject({
	error: z.string().describe('What went wrong and what to do about it, for people.'),
	details: z.unknown().optional().describe('Machine-readable detail: failing fields of a 400, retryAfterSeconds of a 429, …')
});

export const okShape = z.strictObject({ ok: z.literal(true) });

/** Dates travel as ISO 8601 strings (Date.toJSON). */
export const dateTime = z.iso.datetime();

export const idShape = z.string().min(1);
export const platformShape = z.enum(PLATFORMS as [PlatformId, ...PlatformId[]]);
export const modalityShape = z.enum(['text', 'image', 'audio']);
export const visibilityShape = z.enum(['private', 'unlisted', 'public']);
export const roleShape = z.enum(['owner', 'editor', 'viewer']);
export const memberRoleShape = z.enum(['editor', 'viewer']);

/** The signed-in account as its owner sees it (ownAccount). */
export const accountShape = z.strictObject({
	id: idShape,
	email: z.string(),
	is_admin: z.boolean(),
	created_at: dateTime,
	display_name: z.string().nullable(),
	name: z.string().describe('The display name, or the default derived from the email.')
});

/** A run's input or an invocation's input/output: text inline, images and sound by URL. */
export const payloadShape = z.strictObject({
	kind: modalityShape,
	text: z.string().optional(),
	url: z.string().optional().describe('/assets/<sha256>.<ext> for images and sound.')
});

export const networkShape = z.strictObject({
	id: idShape,
	name: z.string(),
	visibility: visibilityShape,
	ownerId: idShape,
	ownerName: z.string(),
	role: roleShape,
	settings: z.record(z.string(), z.unknown()).describe('Run settings as stored; unset fields take the engine defaults.'),
	locked: z.boolean(),
	audience: audienceSettingsSchema
		.required()
		.omit({ blocklist: true })
		.extend({ blocklist: z.array(z.string()).optional().describe('Owner and editors only.') }),
	createdAt: dateTime,
	updatedAt: dateTime
});

export const runStatusShape = z.enum(['running', 'stopped', 'completed', 'failed']);
export const stopCauseShape = z.enum(['stopped', 'replaced', 'budget', 'fixed_point', 'dead_end', 'error']);

/** A run as runJson writes it. */
export const runShape = z.strictObject({
	id: idShape,
	networkId: idShape,
	lane: z.number().int().min(0).describe('0: the network’s own run, the one its canvas and audience see; above 0: an experiment’s extra lanes.'),
	startedBy: z.string().nullable(),
	input: payloadShape,
	status: runStatusShape,
	pausedAt: dateTime.nullable(),
	stopCause: stopCauseShape.nullable(),
	error: z.string().nullable(),
	spendUsd: z.number(),
	settings: z.record(z.string(), z.unknown()),
	startedAt: dateTime,
	endedAt: dateTime.nullable(),
	importedAt: dateTime.nullable(),
	invocationCount: z.number().int()
});

/** One model call of a run (invocationJson): the stored row with its payloads as views. */
export const invocationShape = z.strictObject({
	id: idShape,
	runId: idShape,
	seq: z.number().int(),
	nodeId: z.string(),
	modelId: z.string(),
	parentSeq: z.number().int().nullable(),
	state: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'dropped']),
	input: payloadShape,
	output: payloadShape.nullable(),
	error: z.string().nullable(),
	attempts: z.number().int(),
	providerRequestId: z.string().nullable(),
	costEstimate: z.number().nullable(),
	metrics: z.record(z.string(), z.number()).nullable().describe('What the provider reported: predict time, tokens, images, audio seconds.'),
	exactHash: z.string().nullable().describe('Content hash after normalising: identical outputs hash alike.'),
	queuedAt: dateTime,
	startedAt: dateTime.nullable(),
	endedAt: dateTime.nullable()
});

/** A catalogue entry (publicModelInfo). */
export const modelShape = z.strictObject({
	id: z.string(),
	platform: platformShape,
	name: z.string(),
	input: modalityShape,
	output: modalityShape,
	description: z.string(),
	homepage: z.string(),
	defaults: z.record(z.string(), z.unknown()),
	deprecated: z.boolean().optional(),
	pricing: z.string().optional(),
	params: z.array(z.looseObject({ key: z.string() })).optional(),
	confirmed: z.string().optional(),
	retires: z.string().optional(),
	custom: z.literal(true).optional().describe('A model the signed-in user added by name.')
});

/** What the graph routes answer: the graph, the network's name, and what the check found. */
export const graphShape = graphSchema.extend({
	name: z.string(),
	hasLoop: z.boolean(),
	invalidEdges: z.array(z.string()).describe('Edges whose ends do not match in modality.'),
	issues: z.array(z.looseObject({ message: z.string() }))
});

export const promptShape = z.strictObject({
	id: idShape,
	text: z.string(),
	status: z.enum(['queued', 'approved', 'rejected', 'started', 'withdrawn', 'dropped']),
	reason: z.string().nullable(),
	runId: z.string().nullable(),
	createdAt: dateTime,
	decidedAt: dateTime.nullable(),
	position: z.number().int().nullable(),
	from: z.string().optional()
});

export const joinCodeShape = z.strictObject({
	code: z.string(),
	url: z.string().describe('The link a phone opens: <origin>/j/<code>.'),
	expiresAt: dateTime,
	rotatesAt: dateTime
});

export const availabilityShape = z.strictObject({
	models: z
		.record(
			z.string(),
			z.strictObject({ state: z.enum(['available', 'unavailable', 'unchecked']), reason: z.string().optional(), checkedAt: z.string().optional() })
		)
		.describe('Model id → its state; models not listed are unchecked.'),
	platforms: z.record(
		z.string(),
		z.strictObject({
			checkedAt: z.string().optional(),
			error: z.string().optional(),
			checking: z.boolean().optional(),
			canCheck: z.boolean(),
			cannotAsk: z.boolean().optional()
		})
	)
});

const diffCounts = z.record(z.string(), z.number());

export const versionShape = z.strictObject({
	id: idShape,
	networkId: idShape,
	kind: z.enum(['auto', 'run', 'named', 'before_restore', 'before_import']),
	name: z.string().nullable(),
	who: z.string().describe('A person, for a run, restore, replace or named version; for an automatic one the people who edited in its burst ("Ada, Bo and 2 others"), or "automatic".'),
	editors: z.array(z.string()).describe('Everyone who edited in an automatic version\'s burst, by display name; empty for the other kinds.'),
	runId: z.string().nullable(),
	createdAt: dateTime,
	changes: diffCounts,
	summary: z.string()
});

export const versionDetailShape = versionShape.extend({ graph: graphSchema.loose() });

const screenShape = z.looseObject({ id: idShape, name: z.string(), kind: z.enum(['grid', 'single', 'vestaboard']) });

export const installationShape = z.strictObject({
	id: idShape,
	networkId: idShape,
	name: z.string(),
	screens: z.array(screenShape),
	updatedAt: dateTime
});

export const kioskScreenShape = z.looseObject({ id: idShape, name: z.string(), kind: z.enum(['grid', 'single']), networkId: idShape });
