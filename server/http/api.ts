import { json, type RequestEvent } from '@sveltejs/kit';
import { AppError, unauthorized } from '../errors';

/** The JSON shape of every API error, as DESIGN.md's HTTP contract says. */
export function errorResponse(status: number, error: string, details?: unknown, headers: HeadersInit = {}): Response {
	return json(details === undefined ? { error } : { error, details }, { status, headers });
}

/**
 * Wraps an API handler so expected failures (AppError) become JSON errors with their status,
 * and anything unexpected becomes a logged 500 that gives nothing away.
 */
/** Every route segment a handler sees is present; SvelteKit only calls it when they matched. */
export type ApiEvent = RequestEvent<Record<string, string>>;

export function api(handler: (event: ApiEvent) => Promise<Response> | Response) {
	return async (event: ApiEvent): Promise<Response> => {
		try {
			return await handler(event);
		} catch (error) {
			return toErrorResponse(error, event);
		}
	};
}

export function toErrorResponse(error: unknown, event?: RequestEvent): Response {
	if (error instanceof AppError) {
		const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
		const headers: Record<string, string> = retry ? { 'retry-after': String(retry) } : {};
		// A 413 is sent before the body is read; closing the connection stops the client
		// from reusing a socket that still carries the unread rest of its upload.
		if (error.status === 413) headers.connection = 'close';
		return errorResponse(error.status, error.message, error.details, headers);
	}
	console.error(`[api] ${event?.request.method ?? ''} ${event?.url.pathname ?? ''} failed:`, error);
	return errorResponse(500, 'Something went wrong on the server. Try again; if it keeps happening, tell the site admin.');
}

/** The logged-in user, or a 401 that says to log in. */
export function requireUser(event: RequestEvent) {
	const user = event.locals.user;
	if (!user) throw unauthorized();
	return user;
}
