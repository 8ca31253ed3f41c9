import { errorResponse } from '$server/http/api';

// Any /api path no route claims: a JSON 404 rather than the HTML error page.
export const fallback = ({ url }: { url: URL }) =>
	errorResponse(404, `No API route ${url.pathname}. See the README for the routes PANIC serves.`);
