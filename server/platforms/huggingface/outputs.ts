import { downloadOutput } from '../hosted/file-download';
import type { FileHostPolicy } from '../hosted/file-hosts';
import { sniffImageMime } from '../hosted/media';

/**
 * Output files named by a provider's answer, fetched only through PANIC's guarded downloader.
 *
 * `@huggingface/inference` downloads output URLs itself with the global `fetch` (replicate's
 * `{ output: url }`, hf-inference's `{ output: [url] }`), which would let an answer point the
 * server anywhere. So the call's `fetch` rewrites such an answer before the client sees it:
 * the output URL is downloaded through the guard and replaced by a data URI, which the
 * client's own `fetch(url)` then decodes without touching the network. (Asking the client for
 * the raw answer instead, `outputType: 'json'`, would work for text-to-image on some providers
 * only: hf-inference's image bytes come back as `{}` that way, and image-to-image has no option.)
 */

export interface OutputContext {
	policy: FileHostPolicy;
	signal: AbortSignal;
	/** Who named the URL, for the downloader's log. */
	source: string;
}

/**
 * A `fetch` around `base` that, for JSON answers to POSTs carrying `output` URLs, downloads the
 * first through the guard and answers `{ ..., output: [<data URI>] }` instead (the array form:
 * the client's string branch accepts http(s) URLs only, its array branch any string).
 */
export function guardingOutputs(base: typeof fetch, context: OutputContext): typeof fetch {
	return async (input, init) => {
		const response = await base(input, init);
		const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
		if ((init?.method ?? 'GET').toUpperCase() !== 'POST' || !response.ok || !json) return response;
		const answer = (await response.json()) as Record<string, unknown> | null;
		const url = firstString(answer?.output);
		if (!answer || url === undefined) return Response.json(answer, { status: response.status, headers: response.headers });
		const bytes = await downloadOutput(url, context);
		const mime = sniffImageMime(bytes) ?? 'application/octet-stream';
		const rewritten = { ...answer, output: [`data:${mime};base64,${Buffer.from(bytes).toString('base64')}`] };
		const headers = new Headers(response.headers);
		headers.delete('content-length');
		headers.delete('content-encoding');
		return Response.json(rewritten, { status: response.status, headers });
	};
}

function firstString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	return undefined;
}
