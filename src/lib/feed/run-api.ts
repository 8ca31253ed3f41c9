import type { Modality } from '$shared/platforms/types';

/** What starts a run (DESIGN.md "HTTP API contract"): a text prompt, or a file as base64. */
export type RunInput = string | { kind: Exclude<Modality, 'text'>; dataBase64: string; mime: string };

/** A past run as `GET /api/networks/:id/runs` lists it. Fields beyond id/status are optional. */
export interface RunSummary {
	id: string;
	status: string;
	stopCause?: string | null;
	startedAt?: string | null;
	endedAt?: string | null;
	input?: unknown;
	error?: string | null;
	spendUsd?: number;
}

/** A failed call, carrying the server's `{ error }` sentence for people to read. */
export class ApiError extends Error {
	constructor(
		message: string,
		readonly status: number,
		/** The server's `details`, when it gave any (e.g. `{ missingKeys: ['openai'] }`). */
		readonly details?: Record<string, unknown>
	) {
		super(message);
	}
}

type Fetch = typeof fetch;

/** One JSON call to the API; a failure becomes an ApiError with the server's sentence. */
export async function call<T>(fetcher: Fetch, method: string, path: string, body?: unknown): Promise<T> {
	let res: Response;
	try {
		res = await fetcher(path, {
			method,
			headers: body === undefined ? undefined : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
	} catch {
		throw new ApiError('Could not reach the server. Check the connection and try again.', 0);
	}
	const data = await res.json().catch(() => null);
	if (!res.ok) {
		const said = data && typeof data.error === 'string' ? data.error : `The server answered ${res.status}.`;
		const details = data && typeof data.details === 'object' && data.details !== null ? (data.details as Record<string, unknown>) : undefined;
		throw new ApiError(said, res.status, details);
	}
	return data as T;
}

export const startRun = (networkId: string, input: RunInput, fetcher: Fetch = fetch) =>
	call<{ runId: string }>(fetcher, 'POST', `/api/networks/${encodeURIComponent(networkId)}/runs`, { input });

export const stopRun = (runId: string, fetcher: Fetch = fetch) =>
	call<unknown>(fetcher, 'POST', `/api/runs/${encodeURIComponent(runId)}/stop`);

/** Accepts either a bare array or `{ runs: [...] }`, so a wrapped listing needs no change here. */
export async function listRuns(networkId: string, fetcher: Fetch = fetch): Promise<RunSummary[]> {
	const data = await call<RunSummary[] | { runs: RunSummary[] }>(fetcher, 'GET', `/api/networks/${encodeURIComponent(networkId)}/runs`);
	return Array.isArray(data) ? data : (data?.runs ?? []);
}

/** Reads a picked file as base64 (no data: prefix) for the JSON run input. */
export function fileToBase64(file: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onerror = () => reject(reader.error ?? new Error('Could not read the file.'));
		reader.onload = () => {
			const url = String(reader.result);
			resolve(url.slice(url.indexOf(',') + 1));
		};
		reader.readAsDataURL(file);
	});
}

/** How a run input reads in a list: the prompt itself, or what kind of file it was. */
export function describeInput(input: unknown): string {
	if (typeof input === 'string') return input;
	if (input && typeof input === 'object') {
		const i = input as Record<string, unknown>;
		if (typeof i.text === 'string') return i.text;
		if (typeof i.kind === 'string') return `(${i.kind}${typeof i.mime === 'string' ? `, ${i.mime}` : ''})`;
	}
	return '';
}

/**
 * What the canvas needs from `GET /api/networks/:id` beyond the graph: keys the owner lacks,
 * spend, and whether runs stop by themselves at a fixed point (a stored run setting).
 */
export async function networkOverview(networkId: string, fetcher: Fetch = fetch): Promise<{ missingKeys: string[]; spendUsd: number; stopOnFixedPoint: boolean }> {
	const data = await call<{ missingKeys?: unknown; spendUsd?: unknown; settings?: { stopOnFixedPoint?: unknown } }>(
		fetcher,
		'GET',
		`/api/networks/${encodeURIComponent(networkId)}`
	);
	return {
		missingKeys: Array.isArray(data.missingKeys) ? data.missingKeys.filter((k): k is string => typeof k === 'string') : [],
		spendUsd: typeof data.spendUsd === 'number' ? data.spendUsd : 0,
		// Unset is the engine's default: off.
		stopOnFixedPoint: data.settings?.stopOnFixedPoint === true
	};
}

/** Turns stopping at a fixed point on or off: the same run setting the settings page writes (merged key by key). */
export const setStopOnFixedPoint = (networkId: string, on: boolean, fetcher: Fetch = fetch) =>
	call<unknown>(fetcher, 'PATCH', `/api/networks/${encodeURIComponent(networkId)}`, { settings: { stopOnFixedPoint: on } });

/** `details.missingKeys` of a refused start, when the refusal was about keys. */
export function missingKeysOf(error: unknown): string[] | null {
	const keys = error instanceof ApiError ? error.details?.missingKeys : undefined;
	return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : null;
}
