import OpenAI from 'openai';
import type { AvailabilityAnswer } from '../platform';
import { PlatformError } from '../platform';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';
import { openaiErrorFrom } from './errors';
import { knownShutdownDate } from './served';
import { untilAborted } from '../until-aborted';

/**
 * Which catalogue models OpenAI serves to the owner's key, from one walk of GET /v1/models
 * (every page; today it has one). OpenAI drops a retired model from the list, and lists a
 * retiring one with its `shutdown_date`, so an entry is available iff its API model id is
 * listed with no shutdown date on or before today.
 *
 * Bounded like the key check (key-check.ts): the client makes no retries, each request has
 * the timeout, and the whole walk is raced against it too, so a slow or stuck answer cannot
 * hold the caller. Failures are PlatformErrors: `auth` for a refused key, `rate_limited`, and
 * `unavailable` for anything else that kept OpenAI from answering.
 */

/** What GET /v1/models lists per model; `shutdown_date` is newer than openai-node 6.49's `Model` type. */
interface ListedModel {
	id: string;
	shutdown_date?: string | null;
}

type Entry = ModelInfo | EmbedderInfo;

export async function checkOpenAIAvailability(
	client: OpenAI,
	entries: ReadonlyArray<Entry>,
	options: { signal: AbortSignal; timeoutMs: number; today?: Date }
): Promise<Map<string, AvailabilityAnswer>> {
	const listed = await listModels(client, options.signal, options.timeoutMs);
	const today = (options.today ?? new Date()).toISOString().slice(0, 10);
	return new Map(entries.map((entry) => [entry.id, answerFor(entry, listed, today)]));
}

function answerFor(entry: Entry, listed: ReadonlyMap<string, ListedModel>, today: string): AvailabilityAnswer {
	const model = apiModelOf(entry);
	if (!model) return { available: false, reason: `${entry.name} is not an OpenAI model PANIC knows how to call.` };
	const found = listed.get(model);
	const shutdown = found ? (found.shutdown_date ?? undefined) : (knownShutdownDate(model) ?? (entry as ModelInfo).retires);
	const past = shutdown !== undefined && shutdown <= today;
	if (found && !past) return { available: true };
	return { available: false, reason: `OpenAI no longer serves ${model} to this key${past ? ` (shut down ${shutdown})` : ''}` };
}

/** The API model id of a catalogue entry or embedder (both carry it in `openai.model`). */
function apiModelOf(entry: Entry): string | undefined {
	const model = (entry as { openai?: { model?: unknown } }).openai?.model;
	return entry.platform === 'openai' && typeof model === 'string' ? model : undefined;
}

async function listModels(client: OpenAI, callerSignal: AbortSignal, timeoutMs: number): Promise<Map<string, ListedModel>> {
	callerSignal.throwIfAborted();
	const controller = new AbortController();
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		controller.abort(new DOMException('OpenAI model list timed out', 'TimeoutError'));
	}, timeoutMs);
	const onCallerAbort = () => controller.abort(callerSignal.reason);
	callerSignal.addEventListener('abort', onCallerAbort, { once: true });
	try {
		return await untilAborted(walk(client, controller.signal), controller.signal);
	} catch (error) {
		if (callerSignal.aborted && !timedOut) throw callerSignal.reason;
		throw asCheckError(error, timedOut, timeoutMs);
	} finally {
		clearTimeout(timer);
		callerSignal.removeEventListener('abort', onCallerAbort);
	}
}

async function walk(client: OpenAI, signal: AbortSignal): Promise<Map<string, ListedModel>> {
	const listed = new Map<string, ListedModel>();
	// Iterating the page promise follows every page the API announces.
	for await (const model of client.models.list({ signal })) {
		const entry = model as unknown as ListedModel;
		if (typeof entry.id === 'string') listed.set(entry.id, entry);
	}
	return listed;
}

/** Only the kinds a caller of the check acts on: a refused key, a rate limit, or OpenAI not answering. */
function asCheckError(error: unknown, timedOut: boolean, timeoutMs: number): PlatformError {
	if (timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
		return new PlatformError(`OpenAI did not list its models within ${Math.round(timeoutMs / 1000)} seconds.`, { kind: 'unavailable', cause: error });
	}
	const mapped = openaiErrorFrom(error);
	if (mapped instanceof PlatformError && (mapped.kind === 'auth' || mapped.kind === 'rate_limited' || mapped.kind === 'unavailable')) return mapped;
	const status = mapped instanceof PlatformError ? mapped.status : undefined;
	return new PlatformError(`OpenAI did not list its models${status ? ` (${status})` : ''}, so PANIC could not check which it serves.`, {
		kind: 'unavailable',
		status,
		cause: error
	});
}
