import { call } from '$lib/feed/run-api';

/** The facilitator console's calls (DESIGN.md / README HTTP API). */
const net = (id: string) => `/api/networks/${encodeURIComponent(id)}`;

export interface QueuedPrompt {
	id: string;
	text: string;
	status: string;
	reason: string | null;
	runId: string | null;
	position: number | null;
	from?: string;
	createdAt: string;
}

export interface FacilitatorQueue {
	mode: 'auto' | 'moderated';
	waiting: QueuedPrompt[];
	recent: QueuedPrompt[];
}

export interface AudienceListing {
	count: number;
	streams?: number;
	sessions: { id: string; label: string; createdAt: string; lastSeenAt: string; revoked: boolean; prompts: number }[];
}

export const patchNetwork = (id: string, changes: Record<string, unknown>) => call<Record<string, unknown>>(fetch, 'PATCH', net(id), changes);
export const pauseRun = (runId: string) => call<unknown>(fetch, 'POST', `/api/runs/${encodeURIComponent(runId)}/pause`);
export const resumeRun = (runId: string) => call<unknown>(fetch, 'POST', `/api/runs/${encodeURIComponent(runId)}/resume`);
export const facilitatorQueue = (id: string) => call<FacilitatorQueue>(fetch, 'GET', `${net(id)}/prompts`);
export const approvePrompt = (id: string, promptId: string) => call<unknown>(fetch, 'POST', `${net(id)}/prompts/${encodeURIComponent(promptId)}/approve`);
export const rejectPrompt = (id: string, promptId: string) => call<unknown>(fetch, 'POST', `${net(id)}/prompts/${encodeURIComponent(promptId)}/reject`);
export const audienceListing = (id: string) => call<AudienceListing>(fetch, 'GET', `${net(id)}/audience`);
export const removeSession = (id: string, sessionId: string) => call<unknown>(fetch, 'DELETE', `${net(id)}/audience/${encodeURIComponent(sessionId)}`);
export const removeSessions = (id: string, sessionIds: string[]) =>
	call<{ removed: number; prompts: number }>(fetch, 'POST', `${net(id)}/audience/remove`, { sessionIds });
export const clearQueue = (id: string) => call<{ dropped: number }>(fetch, 'POST', `${net(id)}/prompts/clear`);
export const endEvent = (id: string) => call<{ codes: number; sessions: number; prompts: number }>(fetch, 'POST', `${net(id)}/end-event`);

/** Runs `task`, returning its error message (or null): console buttons show it beside themselves. */
export async function attempt(task: () => Promise<unknown>): Promise<string | null> {
	try {
		await task();
		return null;
	} catch (e) {
		return e instanceof Error ? e.message : 'That did not work.';
	}
}
