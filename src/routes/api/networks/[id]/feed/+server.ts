import { notFound } from '$server/errors';
import { KIOSK_GONE_MESSAGE } from '$server/networks/room-access';
import { api } from '$server/http/api';
import { queryObject, validate } from '$server/http/body';
import { feedQuerySchema } from '$server/http/request-schemas';
import { clientKey } from '$lib/server/session-cookie';

/**
 * The live feed as Server-Sent Events (for phones: no Yjs). Who may read it is the feed room's
 * policy, the same as over sync (`server/networks/room-access.ts`): anyone who may see the
 * network, audience sessions of it, and its installations' kiosk screens (`?kiosk=<token>`).
 * Events: snapshot, card, run, queue, closed.
 */
export const GET = api(async (event) => {
	const { cards, kiosk: token } = validate(feedQuerySchema, queryObject(event.url));
	const { user, session, audience, panic } = event.locals;
	let kiosk = null;
	if (token) {
		const screen = await panic.installations.kiosk(token);
		if (!screen) throw notFound(KIOSK_GONE_MESSAGE);
		kiosk = { screenId: screen.id, networkId: screen.networkId };
	}
	const stream = await panic.audience.openFeed(event.params.id, { user, session, audience, kiosk }, { cards, address: clientKey(event) });
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			// nginx and friends would otherwise hold events back to fill a buffer.
			'x-accel-buffering': 'no'
		}
	});
});
