import { z } from 'zod';
import { MIME_BY_EXT, type AssetExt } from '../assets/names';
import type { InvocationState, RunStatus, StopCause, StoredPayload } from '../db/schema';
import { graphSchema } from '../shared/graph/types';

/**
 * The run export format (`panic-run`, version 1): a run with every invocation, as JSON. A
 * ZIP export holds it as `run.json` beside `assets/<sha256>.<ext>` for every image and sound
 * the run references. Payloads travel as stored: text inline, binaries as asset references.
 */
export const RUN_FORMAT = 'panic-run';
export const RUN_FORMAT_VERSION = 1;

/** Bounds on what an import accepts. */
export const IMPORT_LIMITS = {
	/** The uploaded ZIP (or JSON). */
	maxUploadBytes: 200 * 1024 * 1024,
	/** Entries in the ZIP (run.json plus assets). */
	maxEntries: 20_001,
	/** run.json once decompressed. */
	maxRunJsonBytes: 64 * 1024 * 1024,
	/** One asset once decompressed (the asset store takes provider files up to 50 MB). */
	maxAssetBytes: 60 * 1024 * 1024,
	/** Everything in the ZIP once decompressed. */
	maxTotalBytes: 512 * 1024 * 1024,
	/**
	 * Everything in the ZIP once decompressed, over the upload's size. Exports PANIC made
	 * measure 2–7 with images or sound, 20–25 for text loops, 114 for a fixed point of 10,000
	 * random letters and 381–398 for one of 10,000 identical letters (the longest prompt, echoed
	 * 500 and 3,000 times: a deflate window of repeats). Zeros compress about 1,030 to one,
	 * deflate's limit, which is what ZIP bombs are made of.
	 */
	maxExpansionRatio: 600,
	maxInvocations: 100_000
} as const;
export type ImportLimits = { [K in keyof typeof IMPORT_LIMITS]: number };

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'Expected a sha256 (64 lower-case hex digits).' });
const ext = z.string().refine((e) => Object.hasOwn(MIME_BY_EXT, e), { error: 'Unknown asset extension.' });
const when = z.iso.datetime({ offset: true });

export const assetRefSchema = z
	.object({ sha256, mime: z.string().max(100), ext })
	.strict()
	// The extension decides the type (as /assets/<sha256>.<ext> serves it).
	.transform((a) => ({ sha256: a.sha256, ext: a.ext, mime: MIME_BY_EXT[a.ext as AssetExt] as string }));

export const payloadSchema = z.union([
	z.object({ kind: z.literal('text'), text: z.string().max(1_000_000) }).strict(),
	z.object({ kind: z.enum(['image', 'audio']), asset: assetRefSchema }).strict()
]);

const states = ['queued', 'running', 'completed', 'failed', 'cancelled', 'dropped'] as const satisfies readonly InvocationState[];
const statuses = ['running', 'stopped', 'completed', 'failed'] as const satisfies readonly RunStatus[];
const causes = ['stopped', 'replaced', 'budget', 'fixed_point', 'dead_end', 'error'] as const satisfies readonly StopCause[];

export const exportedInvocationSchema = z
	.object({
		seq: z.number().int().min(1).max(10_000_000),
		nodeId: z.string().min(1).max(64),
		modelId: z.string().min(1).max(200),
		parentSeq: z.number().int().min(1).nullable(),
		state: z.enum(states),
		input: payloadSchema,
		output: payloadSchema.nullable(),
		/** Written by exports before issue 13 (a hash nothing read); accepted and ignored. */
		outputHash: z.string().max(128).nullable().optional(),
		exactHash: z.string().max(128).nullable().optional(),
		error: z.string().max(2000).nullable(),
		attempts: z.number().int().min(0).max(1000),
		providerRequestId: z.string().max(500).nullable(),
		costEstimate: z.number().finite().min(0).max(1e9).nullable(),
		metrics: z.record(z.string().max(100), z.number().finite()).nullable(),
		queuedAt: when,
		startedAt: when.nullable(),
		endedAt: when.nullable()
	})
	.strict();

export const exportedRunSchema = z
	.object({
		/** The run's id where it was exported from (an import gets a new one). */
		id: z.string().min(1).max(64),
		/** The network's name at export time. */
		networkName: z.string().trim().min(1).max(120),
		input: payloadSchema,
		status: z.enum(statuses),
		stopCause: z.enum(causes).nullable(),
		error: z.string().max(2000).nullable(),
		settings: z.record(z.string(), z.unknown()),
		/** The wiring the run followed, with the entries of models not in the curated catalogue. */
		graph: graphSchema.extend({ name: z.string().max(200).optional(), models: z.record(z.string().max(200), z.record(z.string(), z.unknown())).optional() }),
		startedAt: when,
		endedAt: when.nullable(),
		/** Set when the exported run was itself imported. */
		importedAt: when.nullable().optional()
	})
	.strict();

export const runFileSchema = z
	.object({
		format: z.literal(RUN_FORMAT, { error: 'This is not a PANIC run export (format must be "panic-run").' }),
		version: z.literal(RUN_FORMAT_VERSION, { error: 'This run export comes from a newer PANIC; update this one.' }),
		exportedAt: when.optional(),
		run: exportedRunSchema,
		invocations: z.array(exportedInvocationSchema).max(IMPORT_LIMITS.maxInvocations)
	})
	.strict();

export type RunFile = z.infer<typeof runFileSchema>;
export type ExportedRun = z.infer<typeof exportedRunSchema>;
export type ExportedInvocation = z.infer<typeof exportedInvocationSchema>;

/** Every asset a payload references (none for text). */
export function assetsOf(payload: StoredPayload | null | undefined): Array<{ sha256: string; ext: string; mime: string }> {
	return payload && payload.kind !== 'text' ? [payload.asset] : [];
}
