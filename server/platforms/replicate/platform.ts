import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type Replicate from 'replicate';
import { createReplicateClient, replayFirstAttempt, type ProviderConfig } from '../clients';
import { PlatformError, type EmbedResult, type InvokeOptions, type InvokeResult, type Platform } from '../platform';
import { downloadOutput } from '../hosted/file-download';
import { providerFileHosts } from '../hosted/file-hosts';
import { binaryPayload } from '../hosted/media';
import { resolveParams } from '../params';
import type { EmbedderInfo, ModelInfo, Payload } from '../../shared/platforms/types';
import { checkReplicateAvailability } from './availability';
import { replicateErrorFrom, type ReplicateCall } from './errors';
import { inputValue } from './files';
import { costOf, FINISHED, predictionFailure, predictionSchema, readEmbedding, readOutput, type Prediction } from './output';
import { replicateEmbedSpecSchema, replicateSpecSchema, type ReplicateEmbedSpec } from './spec';

/**
 * The Replicate platform: one prediction per invocation, created with `Prefer: wait` so
 * quick models answer in a single request, polled (with growing sleeps) otherwise, and
 * cancelled at Replicate when the run stops or PANIC gives up waiting, so nobody pays for
 * work whose result would be thrown away.
 *
 * Every HTTP request goes through a fresh client whose fetch is `replayFirstAttempt`:
 * replicate 1.4 retries 429/5xx inside `request()` with no real back-off, and the engine
 * owns retrying (pacing, budgets, stop), so each logical request must reach Replicate once.
 * Building a client is a few property assignments, so one per request costs nothing.
 */

export interface ReplicatePlatformOptions {
	/** First sleep between polls; grows by half each poll. Default 1 s. */
	pollIntervalMs?: number;
	/** Longest sleep between polls. Default 5 s. */
	maxPollIntervalMs?: number;
	/** Give up (and cancel) a prediction that has not finished after this long. Default 10 min. */
	pollTimeoutMs?: number;
	/**
	 * How long the create request may hold the connection waiting for the result (`Prefer:
	 * wait=N`). Short, because until it answers PANIC has no prediction id and could not
	 * cancel the prediction if the run stopped. Default 10 s.
	 */
	waitSeconds?: number;
	/** Bound on the best-effort cancel request. Default 5 s. */
	cancelTimeoutMs?: number;
	/** The fetch under API requests (tests). Output files are downloaded apart, see `downloadOutput`. */
	fetch?: typeof fetch;
}

const DEFAULTS = {
	pollIntervalMs: 1_000,
	maxPollIntervalMs: 5_000,
	pollTimeoutMs: 10 * 60_000,
	waitSeconds: 10,
	cancelTimeoutMs: 5_000
};

const modelSchema = z.object({ latest_version: z.object({ id: z.string().min(1) }).nullish() });

/** What one prediction is run with (a model's spec or an embedder's: the shared part). */
interface PredictionCall {
	spec: ReplicateEmbedSpec;
	input: Record<string, unknown>;
	key: string;
	signal: AbortSignal;
}

export function createReplicatePlatform(config: ProviderConfig, options: ReplicatePlatformOptions = {}): Platform {
	const o = {
		pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
		maxPollIntervalMs: options.maxPollIntervalMs ?? DEFAULTS.maxPollIntervalMs,
		pollTimeoutMs: options.pollTimeoutMs ?? DEFAULTS.pollTimeoutMs,
		waitSeconds: options.waitSeconds ?? DEFAULTS.waitSeconds,
		cancelTimeoutMs: options.cancelTimeoutMs ?? DEFAULTS.cancelTimeoutMs
	};
	const baseFetch: typeof fetch = (input, init) => (options.fetch ?? fetch)(input, init);
	const fileHosts = providerFileHosts(config);
	/** Latest version per community model ref; the same for every key, so shared. */
	const latestVersions = new Map<string, string>();

	const client = (key: string): Replicate =>
		createReplicateClient(key, config, { fetch: replayFirstAttempt(baseFetch), useFileOutput: false });

	/** One request through a one-request client, its answer checked against `schema`. */
	async function request<T>(
		signal: AbortSignal,
		schema: z.ZodType<T>,
		send: () => Promise<unknown>,
		context: { ref: string; call: ReplicateCall; requestId?: string }
	): Promise<T> {
		const { requestId } = context;
		let body: unknown;
		try {
			body = await send();
		} catch (error) {
			if (signal.aborted) throw signal.reason;
			throw replicateErrorFrom(error, context);
		}
		const parsed = schema.safeParse(body);
		if (!parsed.success) {
			throw new PlatformError('Replicate gave an answer PANIC could not understand.', { kind: 'invalid_output', requestId });
		}
		return parsed.data;
	}

	async function latestVersion(ref: string, key: string, signal: AbortSignal): Promise<string> {
		const cached = latestVersions.get(ref);
		if (cached) return cached;
		const [owner, name] = ref.split('/');
		const model = await request(signal, modelSchema, () => client(key).models.get(owner, name, { signal }), { ref, call: 'lookup' });
		const id = model.latest_version?.id;
		if (!id) throw new PlatformError(`Replicate no longer serves ${ref}: it has no published version.`, { kind: 'model_gone' });
		latestVersions.set(ref, id);
		return id;
	}

	async function cancel(key: string, id: string): Promise<void> {
		try {
			await client(key).predictions.cancel(id, { signal: AbortSignal.timeout(o.cancelTimeoutMs) });
		} catch {
			// Best effort: the prediction may have just finished, or Replicate is unreachable.
		}
	}

	/** Runs a prediction to a successful end, or throws what went wrong. */
	async function predict({ spec, input, key, signal }: PredictionCall): Promise<Prediction> {
		const deadline = Date.now() + o.pollTimeoutMs;
		const version = spec.version ?? (spec.official ? undefined : await latestVersion(spec.model, key, signal));
		const target = version ? { version } : { model: spec.model };
		let prediction: Prediction;
		try {
			prediction = await request(signal, predictionSchema, () => client(key).predictions.create({ ...target, input, wait: o.waitSeconds, signal }), {
				ref: spec.model,
				call: 'create'
			});
		} catch (error) {
			// The latest version PANIC remembered may be the one that went: look again next time.
			if (error instanceof PlatformError && error.kind === 'model_gone') latestVersions.delete(spec.model);
			throw error;
		}
		const id = prediction.id;
		try {
			let interval = o.pollIntervalMs;
			while (!FINISHED.has(prediction.status)) {
				const left = deadline - Date.now();
				if (left <= 0) {
					throw new PlatformError(`${spec.model} did not finish on Replicate within ${Math.round(o.pollTimeoutMs / 1000)} s.`, {
						kind: 'timeout',
						requestId: id
					});
				}
				await sleep(Math.min(interval, left), undefined, { signal });
				interval = Math.min(interval * 1.5, o.maxPollIntervalMs);
				try {
					prediction = await request(signal, predictionSchema, () => client(key).predictions.get(id, { signal }), { ref: spec.model, call: 'poll', requestId: id });
				} catch (error) {
					// A failed poll says nothing about the prediction, which is still running and
					// billed: keep polling it (paced) rather than let a retry start a second one.
					if (!(error instanceof PlatformError && error.retryable)) throw error;
					interval = Math.max(interval, error.retryAfterMs ?? 0);
				}
			}
		} catch (error) {
			// Whatever ends the wait early (a stop, the deadline, a refused key) leaves a
			// prediction nobody will read: cancel it.
			await cancel(key, id);
			throw signal.aborted ? signal.reason : error;
		}
		if (prediction.status !== 'succeeded') throw predictionFailure(spec.model, prediction);
		return prediction;
	}

	async function fileOutput(model: ModelInfo, url: string, requestId: string, signal: AbortSignal): Promise<Payload> {
		const source = `Replicate model ${model.name}`;
		try {
			const bytes = await downloadOutput(url, { policy: fileHosts, signal, source });
			return binaryPayload(model.output as 'image' | 'audio', bytes, source);
		} catch (error) {
			if (!(error instanceof PlatformError)) throw error;
			throw new PlatformError(error.message, { kind: error.kind, status: error.status, requestId, cause: error });
		}
	}

	return {
		id: 'replicate',
		needsKey: true,

		async invoke(model: ModelInfo, input: Payload, { signal, key, params }: InvokeOptions): Promise<InvokeResult> {
			const spec = specOf(replicateSpecSchema, model.id, model);
			if ((model.output === 'text') !== (spec.outputShape === 'text')) {
				throw new PlatformError(`${model.id}'s Replicate settings read ${spec.outputShape} output for a ${model.output} model.`, { kind: 'invalid_input' });
			}
			checkInput(model.id, model.input, input);
			const owner = requireKey(key);
			// Node settings pass only through the model's ParamSpecs; the entry's own defaults
			// that no spec names are what it fixes (a user-added model's required prompt).
			const settings = resolveParams(model.name, model.params, model.defaults, params);
			const named = new Set((model.params ?? []).map((p) => p.key));
			const fixed = Object.fromEntries(Object.entries(model.defaults).filter(([k]) => !named.has(k)));
			const value = await inputValue(input, { ref: spec.model, client: () => client(owner), signal });
			const body = { ...fixed, ...spec.input, ...settings, [spec.inputField]: value };
			const prediction = await predict({ spec, input: body, key: owner, signal });
			const read = readOutput(spec, prediction);
			const output = read.kind === 'text' ? read : await fileOutput(model, read.urls[0], prediction.id, signal);
			const characters = input.kind === 'text' ? input.text.length : undefined;
			return { output, requestId: prediction.id, ...costOf(spec.billing, prediction, read.kind === 'files' ? read.urls.length : 1, characters) };
		},

		async embed(embedder: EmbedderInfo, input: Payload, { signal, key }: InvokeOptions): Promise<EmbedResult> {
			const spec = specOf(replicateEmbedSpecSchema, embedder.id, embedder);
			checkInput(embedder.id, embedder.input, input);
			const owner = requireKey(key);
			// clip-features reads newline-separated `inputs`: one text must stay on one line.
			const value =
				input.kind === 'text' && spec.inputField === 'inputs'
					? input.text.replace(/\s*\n\s*/g, ' ')
					: await inputValue(input, { ref: spec.model, client: () => client(owner), signal });
			// Embedders take no node settings: only what the entry fixes.
			const body = { ...spec.input, [spec.inputField]: value };
			const prediction = await predict({ spec, input: body, key: owner, signal });
			return { vector: readEmbedding(spec.model, prediction), requestId: prediction.id, ...costOf(spec.billing, prediction, 1) };
		},

		async checkAvailability(entries, { key, signal }) {
			const owner = requireKey(key);
			return checkReplicateAvailability(entries, { client: () => client(owner), signal });
		}
	};
}

/** The `replicate` settings of a model or embedder, checked: user-added ones come from the database. */
function specOf<T>(schema: z.ZodType<T>, id: string, info: object): T {
	const parsed = schema.safeParse((info as { replicate?: unknown }).replicate);
	if (!parsed.success) {
		const where = parsed.error.issues[0]?.path.join('.') || 'replicate';
		throw new PlatformError(`${id} has no usable Replicate settings (check "${where}").`, { kind: 'invalid_input' });
	}
	return parsed.data;
}

function checkInput(id: string, expected: string, input: Payload): void {
	if (input.kind !== expected) throw new PlatformError(`${id} takes ${expected}, not ${input.kind}.`, { kind: 'invalid_input' });
}

function requireKey(key: string | undefined): string {
	if (!key) throw new PlatformError('Running a Replicate model needs the network owner’s Replicate key.', { kind: 'auth' });
	return key;
}
