import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from '../helpers/databases';
import { loopGraph } from '../helpers/graphs';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { openFeed } from '../helpers/sse';
import { appProvider, synced } from '../helpers/sync-client';
import { sleep, until } from '../helpers/wait';

/**
 * Access taken away ends what was streaming on it (issue 11, finding 3), against the production
 * server with a loop making cards all the while: removing a member, switching a network to
 * private, deleting kiosk screens, ending an event and logging out each close exactly the
 * affected SSE streams (with a `closed` event saying why) and sync sockets, at once, while
 * everyone else's keep receiving cards.
 */
type Feed = Awaited<ReturnType<typeof openFeed>>;

const cardsOf = (feed: Feed) => feed.events.filter((e) => e.event === 'card').length;
const reasonOf = (feed: Feed) => feed.events.find((e) => e.event === 'closed')?.data.reason as string | undefined;

/** Opens a feed and waits for its snapshot and for a card of the running loop. */
async function watching(client: ApiClient, path: string): Promise<Feed> {
	const feed = await openFeed(client, path);
	expect(feed.res.status).toBe(200);
	await until(`a card on ${path}`, () => cardsOf(feed) > 0);
	return feed;
}

/** The stream ended with `reason` and nothing came after the `closed` event. */
async function endedWith(feed: Feed, reason: string) {
	await until(`the stream closed (${reason})`, () => reasonOf(feed), 5000);
	await feed.done;
	expect(reasonOf(feed)).toBe(reason);
	expect(feed.events.at(-1)?.event).toBe('closed');
}

/** Everyone else's stream keeps getting cards. */
async function stillStreaming(feed: Feed) {
	const before = cardsOf(feed);
	await until('more cards for those who kept access', () => cardsOf(feed) > before + 1);
	expect(reasonOf(feed)).toBeUndefined();
}

/** Close codes a stock y-websocket client saw. */
function closeCodes(p: ReturnType<typeof appProvider>) {
	const codes: number[] = [];
	p.provider.on('connection-close', (event: { code: number } | null) => event && codes.push(event.code));
	return codes;
}

describe.each(backends())('revoked access ends streams and sockets on $name', ({ name }) => {
	let server: TestServer;
	let owner: ApiClient;
	let id: string;
	const signUp = async (email: string) => {
		const client = new ApiClient(server.url);
		expect((await client.json('POST', '/api/auth/signup', { email, password: 'feedback loops' })).status).toBe(201);
		return client;
	};
	const invite = async (client: ApiClient, role: 'editor' | 'viewer', network = id) => {
		const { body } = await owner.json('POST', `/api/networks/${network}/invites`, { role });
		expect((await client.json('POST', `/api/invites/${body.url.split('/').pop()}`)).status).toBe(200);
		return (await client.json('GET', '/api/me')).body.user.id as string;
	};
	const loopingNetwork = async (name: string) => {
		const network = (await owner.json('POST', '/api/networks', { name })).body.id as string;
		expect((await owner.json('PUT', `/api/networks/${network}/graph`, loopGraph('dummy/echo', 'dummy/upper'))).status).toBe(200);
		await owner.json('PATCH', `/api/networks/${network}`, { settings: { pacing: { fixedMs: 100 } } });
		expect((await owner.json('POST', `/api/networks/${network}/runs`, { input: 'round and round' })).status).toBe(201);
		return network;
	};

	beforeAll(async () => {
		server = await startServer({ backend: name, env: { PANIC_DUMMY_MODELS: '1' } });
		owner = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'feedback loops' });
		id = await loopingNetwork('Always on');
	}, 120_000);
	afterAll(() => server?.dispose());

	test('removing a member closes their feed stream and their sockets; the owner keeps streaming', async () => {
		const editor = await signUp('editor@example.org');
		const editorId = await invite(editor, 'editor');
		const control = await watching(owner, `/api/networks/${id}/feed`);
		const feed = await watching(editor, `/api/networks/${id}/feed`);
		const graph = appProvider(server.url, id, editor);
		const codes = closeCodes(graph);
		await synced(graph.provider);

		expect((await owner.json('DELETE', `/api/networks/${id}/members/${editorId}`)).status).toBe(200);
		await endedWith(feed, 'You were removed from this network.');
		await until('the socket closed', () => codes.includes(4000));
		await stillStreaming(control);
		expect((await editor.request('GET', `/api/networks/${id}/feed`)).status).toBe(404);
		graph.provider.destroy();
		await control.close();
	});

	test('going private ends the streams and sockets of those who saw it only because it was public; members keep theirs', async () => {
		const viewer = await signUp('viewer@example.org');
		await invite(viewer, 'viewer');
		const stranger = await signUp('stranger@example.org');
		const anonymous = new ApiClient(server.url);
		expect((await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'public' })).status).toBe(200);
		const feeds = {
			anonymous: await watching(anonymous, `/api/networks/${id}/feed`),
			stranger: await watching(stranger, `/api/networks/${id}/feed`),
			member: await watching(viewer, `/api/networks/${id}/feed`)
		};
		// The stranger has the canvas open too (granted because the network was public), and
		// anonymous readers hold both rooms over sync.
		const sockets = [appProvider(server.url, id, stranger), appProvider(server.url, id, null), appProvider(server.url, `${id}/feed`, null)];
		const codes = sockets.map(closeCodes);
		await Promise.all(sockets.map((s) => synced(s.provider)));

		expect((await owner.json('PATCH', `/api/networks/${id}`, { visibility: 'private' })).status).toBe(200);
		await endedWith(feeds.anonymous, 'This network is now private.');
		await endedWith(feeds.stranger, 'This network is now private.');
		await until('the stranger’s and the anonymous sockets closed', () => codes.every((c) => c.length > 0));
		expect(codes[0]).toContain(4000);
		for (const s of sockets) s.provider.destroy();
		await stillStreaming(feeds.member);
		expect((await anonymous.request('GET', `/api/networks/${id}/feed`)).status).toBe(401);
		expect((await stranger.request('GET', `/api/networks/${id}/feed`)).status).toBe(404);
		await feeds.member.close();
	});

	test('taking a screen out of an installation, then deleting it, ends those kiosk streams and sockets', async () => {
		const created = await owner.json('POST', `/api/networks/${id}/installations`, {
			name: 'Foyer',
			screens: [
				{ name: 'left', kind: 'grid', grid: { rows: 1, cols: 2 } },
				{ name: 'right', kind: 'single', single: { stride: 2, offset: 1 } }
			]
		});
		expect(created.status).toBe(201);
		const [left, right] = created.body.screens as Array<{ id: string; kioskPath: string }>;
		const kiosk = (screen: { kioskPath: string }) => `/api/networks/${id}/feed?kiosk=${screen.kioskPath.split('/').pop()}`;
		const machine = new ApiClient(server.url); // a display machine: nobody logged in
		const leftFeed = await watching(machine, kiosk(left));
		const rightFeed = await watching(machine, kiosk(right));
		// The right screen over sync as well (the token in the query, as over SSE).
		const rightSocket = appProvider(server.url, `${id}/feed`, null, server.url, { kiosk: right.kioskPath.split('/').pop()! });
		const codes = closeCodes(rightSocket);
		await synced(rightSocket.provider);

		const onlyLeft = { name: 'Foyer', screens: [{ id: left.id, name: 'left', kind: 'grid', grid: { rows: 1, cols: 2 } }] };
		expect((await owner.json('PUT', `/api/networks/${id}/installations/${created.body.id}`, onlyLeft)).status).toBe(200);
		await endedWith(rightFeed, 'This display was removed.');
		await until('the kiosk socket closed', () => codes.length > 0);
		rightSocket.provider.destroy();
		await stillStreaming(leftFeed);

		expect((await owner.json('DELETE', `/api/networks/${id}/installations/${created.body.id}`)).status).toBe(200);
		await endedWith(leftFeed, 'This display was removed.');
		expect((await machine.request('GET', kiosk(left))).status).toBe(404);
	});

	test('ending the event ends audience streams and feed sockets, not the facilitator’s', async () => {
		const { body } = await owner.json('POST', `/api/networks/${id}/join-codes`);
		const phone = new ApiClient(server.url);
		expect((await phone.json('POST', `/api/join/${body.code}`)).status).toBe(200);
		const control = await watching(owner, `/api/networks/${id}/feed`);
		const feed = await watching(phone, `/api/networks/${id}/feed`);
		const socket = appProvider(server.url, `${id}/feed`, phone);
		const codes = closeCodes(socket);
		await synced(socket.provider);

		expect((await owner.json('POST', `/api/networks/${id}/end-event`)).status).toBe(200);
		await endedWith(feed, 'The event has ended. Thank you for taking part!');
		await until('the feed socket closed', () => codes.length > 0);
		await stillStreaming(control);
		socket.provider.destroy();
		await control.close();
	});

	test('logging out closes that session’s streams on every network and its sockets, and nothing of another session', async () => {
		const other = await loopingNetwork('Second loop');
		const laptop = Object.assign(new ApiClient(server.url), { cookies: new Map(owner.cookies) });
		const phone = new ApiClient(server.url); // the same person, logged in a second time
		expect((await phone.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'feedback loops' })).status).toBe(200);
		const feeds = [await watching(laptop, `/api/networks/${id}/feed`), await watching(laptop, `/api/networks/${other}/feed`)];
		const kept = await watching(phone, `/api/networks/${id}/feed`);
		const canvas = appProvider(server.url, id, laptop);
		const keptCanvas = appProvider(server.url, id, phone);
		const codes = closeCodes(canvas);
		const keptCodes = closeCodes(keptCanvas);
		await Promise.all([synced(canvas.provider), synced(keptCanvas.provider)]);

		expect((await laptop.json('POST', '/api/auth/logout')).status).toBe(200);
		for (const feed of feeds) await endedWith(feed, 'You were logged out.');
		// 4401 is final for the stock client: it does not come back with a cookie that no longer works.
		await until('the socket closed', () => codes.includes(4401));
		await sleep(300);
		expect(codes).toEqual([4401]);
		expect(keptCodes).toEqual([]);
		expect(keptCanvas.provider.wsconnected).toBe(true);
		await stillStreaming(kept);
		for (const p of [canvas, keptCanvas]) p.provider.destroy();
		await kept.close();
		// The owner client's cookie was the laptop's: log back in for anyone after this test.
		await owner.json('POST', '/api/auth/login', { email: 'owner@example.org', password: 'feedback loops' });
	});
});
