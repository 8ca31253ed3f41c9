import { api } from '$server/http/api';
import { clientKey } from '$lib/server/session-cookie';

/**
 * A run as it happens, as Server-Sent Events (the run page follows it): `run`, `invocations`
 * (the newest page), `analysis` (at most every couple of seconds) and `end`, after which the
 * stream closes. Who may watch is the feed room's policy, as for the network's live feed; the
 * stream counts under the same connection limits (per address, session and network).
 */
export const GET = api(async (event) => {
	const { user, session, panic } = event.locals;
	const stream = await panic.runStreams.watch(event.params.id, { user, session }, clientKey(event));
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			'x-accel-buffering': 'no'
		}
	});
});
