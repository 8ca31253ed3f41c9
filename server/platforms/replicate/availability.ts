import { z } from 'zod';
import type Replicate from 'replicate';
import { providerHttpStatus } from '../clients';
import { PlatformError, type AvailabilityAnswer } from '../platform';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';
import { replicateErrorFrom } from './errors';
import { replicateEmbedSpecSchema } from './spec';

/**
 * Which catalogue entries Replicate serves to the owner's key now. Replicate has no
 * deprecation flag on models or versions (research §3.2), so "no longer served" is read from
 * what a lookup answers: the model 404s, the pinned version 404s, an unpinned model has no
 * `latest_version`, or the version's Input schema lacks the field PANIC puts the payload in.
 *
 * Bounded: one request per model ref and pinned version (entries sharing a model share it),
 * a few at a time, each through a one-request client with its own timeout, so a slow or
 * throttling Replicate costs a handful of requests, never a retry storm.
 */

/** Lookups in flight at once. */
const CONCURRENCY = 4;
/** Each lookup gives up after this long. */
const LOOKUP_TIMEOUT_MS = 10_000;

const versionSchema = z.object({ id: z.string(), openapi_schema: z.unknown().optional() });
const modelSchema = z.object({ latest_version: versionSchema.nullish() });

interface Target {
	ref: string;
	version?: string;
}

export async function checkReplicateAvailability(
	entries: ReadonlyArray<ModelInfo | EmbedderInfo>,
	options: { client: () => Replicate; signal: AbortSignal }
): Promise<Map<string, AvailabilityAnswer>> {
	const answers = new Map<string, AvailabilityAnswer>();
	/** Entries still to judge, with the lookup (by `ref:version`) each needs. */
	const asked: Array<{ id: string; key: string; inputField: string }> = [];
	const targets = new Map<string, Target>();
	for (const entry of entries) {
		const spec = replicateEmbedSpecSchema.safeParse((entry as { replicate?: unknown }).replicate);
		if (entry.platform !== 'replicate' || !spec.success) {
			answers.set(entry.id, { available: false, reason: `${entry.name} has no usable Replicate settings.` });
			continue;
		}
		const { model: ref, version, inputField } = spec.data;
		const key = `${ref}:${version ?? ''}`;
		targets.set(key, { ref, version });
		asked.push({ id: entry.id, key, inputField });
	}

	// One failure that shows Replicate cannot be asked (a refused key, a 429) stops the rest.
	const stop = new AbortController();
	const onAbort = () => stop.abort(options.signal.reason);
	if (options.signal.aborted) onAbort();
	else options.signal.addEventListener('abort', onAbort, { once: true });
	const found = new Map<string, LookedUp>();
	const queue = [...targets.entries()];
	const worker = async () => {
		for (let next = queue.shift(); next && !stop.signal.aborted; next = queue.shift()) {
			const [key, target] = next;
			try {
				found.set(key, await lookUp(target, options.client, stop.signal));
			} catch (error) {
				stop.abort(error);
				throw error;
			}
		}
	};
	// Every lookup has ended (answered or aborted) before this returns or throws: none outlives the call.
	const settled = await Promise.allSettled(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
	options.signal.removeEventListener('abort', onAbort);
	if (options.signal.aborted) throw options.signal.reason;
	const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failed) throw stop.signal.aborted ? stop.signal.reason : failed.reason;
	for (const { id, key, inputField } of asked) answers.set(id, judge({ ...targets.get(key)!, inputField }, found.get(key)!));
	return answers;
}

/** What one lookup found: gone, or the Input fields of the version PANIC would run. */
type LookedUp = { gone: 'model' | 'version' | 'no-version' } | { inputs: ReadonlySet<string> | undefined };

async function lookUp(target: Target, client: () => Replicate, signal: AbortSignal): Promise<LookedUp> {
	const [owner, name] = target.ref.split('/');
	const timed = AbortSignal.timeout(LOOKUP_TIMEOUT_MS);
	const both = AbortSignal.any([signal, timed]);
	const ask = async <T>(schema: z.ZodType<T>, send: () => Promise<unknown>): Promise<T | 404> => {
		let body: unknown;
		try {
			body = await send();
		} catch (error) {
			if (signal.aborted) throw signal.reason;
			if (timed.aborted) throw new PlatformError(`Replicate did not answer in time about ${target.ref}.`, { kind: 'timeout' });
			if (providerHttpStatus(error) === 404) return 404;
			throw replicateErrorFrom(error, { ref: target.ref, call: 'other' });
		}
		const parsed = schema.safeParse(body);
		if (!parsed.success) throw new PlatformError('Replicate gave an answer PANIC could not understand.', { kind: 'invalid_output' });
		return parsed.data;
	};
	const model = await ask(modelSchema, () => client().models.get(owner, name, { signal: both }));
	if (model === 404) return { gone: 'model' };
	let version: z.infer<typeof versionSchema> | null | undefined = model.latest_version;
	if (target.version) {
		const pinned = await ask(versionSchema, () => client().models.versions.get(owner, name, target.version!, { signal: both }));
		if (pinned === 404) return { gone: 'version' };
		version = pinned;
	} else if (!version) {
		return { gone: 'no-version' };
	}
	return { inputs: inputFields(version.openapi_schema) };
}

function judge(target: Target & { inputField: string }, found: LookedUp): AvailabilityAnswer {
	const { ref, version, inputField } = target;
	if ('gone' in found) {
		if (found.gone === 'model') return { available: false, reason: `Replicate no longer serves ${ref}.` };
		if (found.gone === 'version') return { available: false, reason: `${ref} no longer has version ${version!.slice(0, 12)}… on Replicate.` };
		return { available: false, reason: `${ref} has no published version on Replicate.` };
	}
	// A version without a schema says nothing against the entry: the run will tell.
	if (found.inputs && !found.inputs.has(inputField)) {
		const which = version ? `version ${version.slice(0, 12)}…` : 'latest version';
		return { available: false, reason: `${ref}'s ${which} no longer takes \`${inputField}\`.` };
	}
	return { available: true };
}

/** The names of a Cog schema's Input properties, or undefined when it publishes none. */
function inputFields(openapiSchema: unknown): ReadonlySet<string> | undefined {
	const properties = (openapiSchema as { components?: { schemas?: { Input?: { properties?: unknown } } } } | null | undefined)?.components?.schemas?.Input?.properties;
	return typeof properties === 'object' && properties !== null ? new Set(Object.keys(properties)) : undefined;
}
