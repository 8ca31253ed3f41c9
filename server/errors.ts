/**
 * An expected failure with an HTTP status and a message meant for the person who caused it.
 * Domain code throws these; the API edge turns them into `{ error, details? }` JSON.
 */
export class AppError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly details?: unknown
	) {
		super(message);
		this.name = 'AppError';
	}
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, message, details);
export const unauthorized = (message = 'Log in first.') => new AppError(401, message);
export const forbidden = (message = 'You are not allowed to do that.') => new AppError(403, message);
export const notFound = (message = 'Not found.') => new AppError(404, message);
export const conflict = (message: string) => new AppError(409, message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
	new AppError(429, message, { retryAfterSeconds });
/** The resource is locked (a canvas locked for a performance). */
export const locked = (message: string) => new AppError(423, message);
