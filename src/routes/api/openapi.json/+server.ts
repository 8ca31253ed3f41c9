import { RateLimiter } from '$server/auth/rate-limit';
import { api, errorResponse } from '$server/http/api';
import { openApiJson } from '$server/http/openapi/document';
import { clientKey } from '$lib/server/session-cookie';

// Public, so bounded per address like the other public endpoints: plenty for tools and
// people reading it, not a way to keep the server busy. Answers are cached and revalidated.
const perAddress = new RateLimiter(60, 60_000);

/** The OpenAPI 3.1 description of this API (the page /docs/api shows the same registry). */
export const GET = api(async (event) => {
	const taken = perAddress.take(clientKey(event));
	if (!taken.ok) {
		const seconds = Math.ceil(taken.retryAfterMs / 1000);
		return errorResponse(429, 'Too many requests for the API description; try again shortly.', { retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
	}
	const { text, etag } = openApiJson();
	const headers = { etag, 'cache-control': 'public, max-age=300, must-revalidate', vary: 'Accept-Encoding' };
	if (event.request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
	return new Response(text, { headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
});
