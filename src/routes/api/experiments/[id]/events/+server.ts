import { api } from '$server/http/api';
import { clientKey } from '$lib/server/session-cookie';

/**
 * An experiment as it happens, as Server-Sent Events (its page follows it): `experiment`, `run`
 * (each run as it starts and ends) and `end`, after which the stream closes. Who may watch and
 * the connection limits are those of the run pages.
 */
export const GET = api(async (event) => {
	const { user, session, panic } = event.locals;
	const stream = await panic.experimentStreams.watch(event.params.id, { user, session }, clientKey(event));
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			'x-accel-buffering': 'no'
		}
	});
});
