import { ApiError, call } from '$lib/feed/run-api';

/** A prompt as its sender sees it (GET /api/networks/:id/prompts, audience view). */
export interface MyPrompt {
	id: string;
	text: string;
	status: 'queued' | 'approved' | 'started' | 'rejected' | 'withdrawn' | 'dropped' | string;
	reason: string | null;
	runId: string | null;
	position: number | null;
}

export const MAX_PROMPT_CHARS = 500;

const base = (networkId: string) => `/api/networks/${encodeURIComponent(networkId)}/prompts`;

export const sendPrompt = (networkId: string, text: string) =>
	call<{ id: string; status: string; position: number }>(fetch, 'POST', base(networkId), { text });

export async function myPrompts(networkId: string): Promise<MyPrompt[]> {
	const data = await call<{ prompts?: MyPrompt[] }>(fetch, 'GET', base(networkId));
	return data.prompts ?? [];
}

/** Seconds to wait after a 429, from `details.retryAfterSeconds`. */
export const retryAfter = (e: unknown): number =>
	e instanceof ApiError && typeof e.details?.retryAfterSeconds === 'number' ? e.details.retryAfterSeconds : 0;

/** How a prompt's state reads on a phone. */
export function promptState(p: MyPrompt): string {
	switch (p.status) {
		case 'queued':
			return p.position === 1 ? 'Next in the queue' : `Number ${p.position} in the queue`;
		case 'approved':
			return p.position === 1 ? 'Approved — next in the queue' : `Approved — number ${p.position} in the queue`;
		case 'started':
			return 'Started a run';
		case 'rejected':
			return `Not used${p.reason ? `: ${p.reason}` : ''}`;
		case 'withdrawn':
			return 'Taken back';
		case 'dropped':
			return `Dropped${p.reason ? `: ${p.reason}` : ''}`;
		default:
			return p.status;
	}
}
