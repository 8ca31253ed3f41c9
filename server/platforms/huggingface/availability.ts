import { hfHubParams, type ProviderConfig } from '../clients';
import { isAbort } from '../hosted/errors';
import { PlatformError, type AvailabilityAnswer } from '../platform';
import type { EmbedderInfo, ModelInfo } from '../../shared/platforms/types';
import { HUB_TASK, type HuggingFaceSpec } from './models';
import type { HubTask, ProviderMapping } from './served';

/**
 * Which catalogue entries Hugging Face serves now, asked of the Hub itself: the same mapping
 * request `@huggingface/inference` makes before a model's first call
 * (`GET {hub}/api/models/{repo}?expand[]=inferenceProviderMapping`). PANIC cannot rely on the
 * client for this: it caches each model's mapping for the life of the process, so it would
 * never notice a mapping removed after its first call.
 *
 * An entry is available iff the Hub maps its repo to the entry's default provider, for the
 * call's task, with status `live` (a `staging` mapping is for the provider's own tests).
 */

/** Requests in flight at once: a catalogue has a dozen entries, the Hub is shared. */
const CONCURRENCY = 3;
const TIMEOUT_MS = 15_000;
/** A model's info with its mappings is a few KB; anything far larger is not that. */
const MAX_BODY_BYTES = 1024 * 1024;

/** hf-inference runs sentence-transformers models under either task (the client's `EQUIVALENT_SENTENCE_TRANSFORMERS_TASKS`). */
const EQUIVALENT: Partial<Record<HubTask, readonly HubTask[]>> = {
	'feature-extraction': ['feature-extraction', 'sentence-similarity'],
	'sentence-similarity': ['feature-extraction', 'sentence-similarity']
};

export async function checkHuggingFaceAvailability(
	entries: ReadonlyArray<ModelInfo | EmbedderInfo>,
	options: { key: string; signal: AbortSignal; config: ProviderConfig; fetch?: typeof fetch }
): Promise<Map<string, AvailabilityAnswer>> {
	const { key, signal, config } = options;
	if (!key.startsWith('hf_')) throw refusedKey();
	const { hubUrl } = hfHubParams(key, config);
	const answers = new Map<string, AvailabilityAnswer>();
	const byRepo = new Map<string, Array<{ entry: ModelInfo | EmbedderInfo; spec: HuggingFaceSpec }>>();
	for (const entry of entries) {
		const spec = (entry as { huggingface?: HuggingFaceSpec }).huggingface;
		if (!spec?.repo || !spec.provider || !(spec.task in HUB_TASK)) {
			answers.set(entry.id, { available: false, reason: `${entry.id} is not a Hugging Face model PANIC can call.` });
			continue;
		}
		byRepo.set(spec.repo, [...(byRepo.get(spec.repo) ?? []), { entry, spec }]);
	}

	const repos = [...byRepo.keys()];
	const worker = async () => {
		for (let repo = repos.shift(); repo !== undefined; repo = repos.shift()) {
			const mappings = await mappingsOf(repo, hubUrl, key, signal, options.fetch ?? globalThis.fetch);
			for (const { entry, spec } of byRepo.get(repo)!) answers.set(entry.id, verdict(spec, mappings));
		}
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, repos.length) }, worker));
	return answers;
}

/** The answer for one entry from its repo's mappings (`null`: the Hub has no such repository). */
export function verdict(spec: HuggingFaceSpec, mappings: ProviderMapping[] | null): AvailabilityAnswer {
	const { repo, provider } = spec;
	if (mappings === null) return { available: false, reason: `Hugging Face no longer has a model named ${repo}.` };
	const task = HUB_TASK[spec.task];
	const mapping = mappings.find((m) => m.provider === provider);
	if (!mapping) return { available: false, reason: `Hugging Face's ${provider} route no longer serves ${repo}.` };
	const tasks = provider === 'hf-inference' ? (EQUIVALENT[task] ?? [task]) : [task];
	if (!tasks.includes(mapping.task)) {
		return { available: false, reason: `Hugging Face's ${provider} route serves ${repo} for ${mapping.task}, not for ${task}.` };
	}
	if (mapping.status !== 'live') {
		return { available: false, reason: `${repo} is only staging on Hugging Face's ${provider} route (for the provider's tests), not live.` };
	}
	return { available: true };
}

/** The repo's mappings in the array form, or null when the Hub answers 404. */
async function mappingsOf(repo: string, hubUrl: string, key: string, signal: AbortSignal, fetch: typeof globalThis.fetch): Promise<ProviderMapping[] | null> {
	const path = repo.split('/').map(encodeURIComponent).join('/');
	let response: Response;
	let text: string;
	try {
		response = await fetch(`${hubUrl}/api/models/${path}?expand[]=inferenceProviderMapping`, {
			headers: { authorization: `Bearer ${key}` },
			signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)])
		});
		text = await boundedText(response);
	} catch (error) {
		if (signal.aborted) throw signal.reason ?? error;
		if (error instanceof PlatformError) throw error;
		const timedOut = isAbort(error) || (error instanceof Error && error.name === 'TimeoutError');
		throw new PlatformError(timedOut ? 'Hugging Face did not answer in time.' : 'Hugging Face could not be reached.', {
			kind: timedOut ? 'timeout' : 'unavailable',
			cause: error
		});
	}
	const { status } = response;
	if (status === 404) return null;
	if (status === 401 || status === 403) throw refusedKey(status);
	if (status === 429) throw new PlatformError("Hugging Face is rate-limiting the owner's key (429).", { kind: 'rate_limited', status });
	if (!response.ok) throw new PlatformError(`Hugging Face had a problem on its side (${status}).`, { kind: 'unavailable', status });
	try {
		return normalise(repo, (JSON.parse(text) as { inferenceProviderMapping?: unknown }).inferenceProviderMapping);
	} catch (error) {
		throw new PlatformError('Hugging Face gave an answer PANIC could not understand.', { kind: 'invalid_output', cause: error });
	}
}

/** The array form, from either form the Hub has used (the legacy one is keyed by provider). */
function normalise(repo: string, raw: unknown): ProviderMapping[] {
	const list = Array.isArray(raw)
		? raw
		: raw && typeof raw === 'object'
			? Object.entries(raw).map(([provider, m]) => ({ ...(m as object), provider, hfModelId: repo }))
			: [];
	return list.filter(
		(m): m is ProviderMapping =>
			!!m && typeof m === 'object' && typeof m.provider === 'string' && typeof m.providerId === 'string' && typeof m.task === 'string' && typeof m.status === 'string'
	);
}

async function boundedText(response: Response): Promise<string> {
	const declared = Number(response.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
		await response.body?.cancel();
		throw new PlatformError('Hugging Face gave an answer PANIC could not understand.', { kind: 'invalid_output' });
	}
	const text = await response.text();
	if (text.length > MAX_BODY_BYTES) throw new PlatformError('Hugging Face gave an answer PANIC could not understand.', { kind: 'invalid_output' });
	return text;
}

function refusedKey(status?: number): PlatformError {
	const why = status === undefined ? 'it does not start with hf_' : String(status);
	return new PlatformError(`The network owner's Hugging Face key was refused (${why}). The owner can check it under Account → Keys.`, { kind: 'auth', status });
}
