import { fail, isRedirect } from '@sveltejs/kit';
import { AppError } from '$server/errors';

/**
 * Runs a form action's work; an expected failure (AppError) comes back to the page as
 * `form.error` with its status, alongside whatever fields the page should keep filled in.
 */
export async function attempt<T>(keep: Record<string, unknown>, work: () => Promise<T>) {
	try {
		return await work();
	} catch (error) {
		if (isRedirect(error)) throw error;
		if (error instanceof AppError) return fail(error.status, { ...keep, error: error.message });
		throw error;
	}
}

export function field(data: FormData, name: string): string {
	const value = data.get(name);
	return typeof value === 'string' ? value : '';
}

/** Where to go after logging in: a same-site path from `?next=`, never another origin. */
export function nextPath(url: URL, fallback = '/networks'): string {
	const next = url.searchParams.get('next') ?? '';
	return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}
