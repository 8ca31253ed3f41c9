import { ApiError, call } from '$lib/feed/run-api';
import type { FeedRun } from '$shared/feed';

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

/**
 * The sender's own prompts (`mine`), and every prompt whose state they can follow (`seen`):
 * a facilitator trying the phone page is answered with the whole queue instead, which still
 * holds the prompt they just sent.
 */
export async function myPrompts(networkId: string): Promise<{ mine: MyPrompt[]; seen: MyPrompt[] }> {
	const data = await call<{ prompts?: MyPrompt[]; waiting?: MyPrompt[]; recent?: MyPrompt[] }>(fetch, 'GET', base(networkId));
	return { mine: data.prompts ?? [], seen: data.prompts ?? [...(data.waiting ?? []), ...(data.recent ?? [])] };
}

/** Seconds to wait after a 429, from `details.retryAfterSeconds`. */
export const retryAfter = (e: unknown): number =>
	e instanceof ApiError && typeof e.details?.retryAfterSeconds === 'number' ? e.details.retryAfterSeconds : 0;

/**
 * How a prompt's state reads on a phone. A started prompt's run is `run` when it is the
 * network's current run (the live feed's): then it is running now, paused, or done.
 */
export function promptState(p: MyPrompt, run: FeedRun | null = null): string {
	switch (p.status) {
		case 'queued':
			return p.position === 1 ? 'Next in the queue' : `Number ${p.position} in the queue`;
		case 'approved':
			return p.position === 1 ? 'Approved — next in the queue' : `Approved — number ${p.position} in the queue`;
		case 'started':
			if (!run) return 'Started a run';
			// A newer run took over the screen, so this prompt's run is over.
			if (run.runId !== p.runId) return 'Done: its run has ended';
			if (run.status === 'running') return 'Running now';
			if (run.status === 'paused') return 'Its run is paused';
			return 'Done: its run has ended';
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
