import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { probeRoom, type RoomProbe } from './helpers/sync-client';

/**
 * The live rooms' access matrix (issue 13): each principal × network visibility × room ×
 * transport, with what the connection gets: `rw` (reads and writes), `r` (reads; its writes
 * are dropped) or the status it is refused with. Both transports ask one policy
 * (server/networks/room-access.ts), so the feed room answers the same over sync and SSE.
 *
 * `audience` joined this network with a code, `audience-other` another network; `kiosk`
 * carries this network's installation screen token (`?kiosk=`, no cookie, as a display
 * machine), `kiosk-other` another network's; `stranger` is logged in and nothing to it;
 * `anonymous` has nothing. One server (PGlite), networks made once, each row's cells at once.
 */
const WHO = ['anonymous', 'stranger', 'audience', 'audience-other', 'viewer', 'editor', 'owner', 'kiosk', 'kiosk-other'] as const;
type Who = (typeof WHO)[number];
const VISIBILITIES = ['private', 'unlisted', 'public'] as const;
type Visibility = (typeof VISIBILITIES)[number];
type Channel = 'graph sync' | 'feed sync' | 'feed sse';

//                        anonymous stranger audience audience-other viewer editor owner kiosk kiosk-other
const MATRIX: Record<Visibility, Record<Channel, string>> = {
	private: {
		'graph sync': '       401  404  401  401  r  rw rw 403 403',
		'feed sync': '        401  404  r    401  r  r  r  r   403',
		'feed sse': '         401  404  r    401  r  r  r  r   403'
	},
	unlisted: {
		'graph sync': '       r    r    r    r    r  rw rw 403 403',
		'feed sync': '        r    r    r    r    r  r  r  r   403',
		'feed sse': '         r    r    r    r    r  r  r  r   403'
	},
	public: {
		'graph sync': '       r    r    r    r    r  rw rw 403 403',
		'feed sync': '        r    r    r    r    r  r  r  r   403',
		'feed sse': '         r    r    r    r    r  r  r  r   403'
	}
};

interface Fixture {
	server: TestServer;
	/** The users' cookies (and none for anonymous); audience and kiosk principals are per network. */
	clients: Partial<Record<Who, ApiClient>>;
	networks: Record<Visibility | 'elsewhere', { id: string; name: string; kioskToken: string; audience: ApiClient }>;
}

const cookieOf = (client: ApiClient | undefined) => (client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '');
let probes = 0;

/** What `who` gets on `channel` of the network with this visibility. */
async function outcome(f: Fixture, visibility: Visibility, channel: Channel, who: Who): Promise<RoomProbe> {
	const network = f.networks[visibility];
	const kiosk = who === 'kiosk' ? network.kioskToken : who === 'kiosk-other' ? f.networks.elsewhere.kioskToken : null;
	const client = who === 'audience' ? network.audience : who === 'audience-other' ? f.networks.elsewhere.audience : f.clients[who];
	const query = kiosk ? `?kiosk=${kiosk}` : '';
	if (channel === 'feed sse') {
		const copy = new ApiClient(f.server.url);
		copy.cookies = new Map(client?.cookies ?? []);
		const res = await copy.request('GET', `/api/networks/${network.id}/feed${query}`);
		if (res.status !== 200) {
			expect(typeof (await res.json()).error, `${who}: the refusal is JSON { error }`).toBe('string');
			return res.status;
		}
		await res.body?.cancel();
		return 'r';
	}
	const key = `probe-${probes++}`;
	if (channel === 'graph sync') {
		return probeRoom(f.server.url, network.id, {
			cookie: kiosk ? undefined : cookieOf(client),
			query,
			// The graph arrived: its name is in it.
			read: (doc) => doc.getMap('meta').get('name') === network.name,
			// A sticky note: a write the graph's write rule accepts from an editor.
			write: (doc) => doc.getMap('notes').set(key, new Y.Map(Object.entries({ text: `from ${who}`, x: 0, y: 0 }))),
			written: (doc) => doc.getMap('notes').has(key)
		});
	}
	return probeRoom(f.server.url, `${network.id}/feed`, {
		cookie: kiosk ? undefined : cookieOf(client),
		query,
		write: (doc) => doc.getMap('run').set(key, 'forged'),
		written: (doc) => doc.getMap('run').has(key)
	});
}

describe('the live rooms’ access matrix', () => {
	let f: Fixture;
	beforeAll(async () => {
		f = await buildFixture(await startServer({ backend: 'pglite', env: { SIGNUPS_PER_ADDRESS: '10000' } }));
	}, 120_000);
	afterAll(() => f?.server.dispose());

	test('every row has a cell for every principal', () => {
		for (const v of VISIBILITIES) for (const [channel, row] of Object.entries(MATRIX[v])) expect(row.trim().split(/\s+/), `${v} ${channel}`).toHaveLength(WHO.length);
	});

	const rows = VISIBILITIES.flatMap((v) => (Object.keys(MATRIX[v]) as Channel[]).map((channel) => [`${v} network, ${channel}`, v, channel] as const));
	test.each(rows)('%s', async (_label, visibility, channel) => {
		const seen = await Promise.all(WHO.map((who) => outcome(f, visibility, channel, who)));
		const expected = MATRIX[visibility][channel].trim().split(/\s+/);
		expect(Object.fromEntries(WHO.map((who, i) => [who, String(seen[i])]))).toEqual(Object.fromEntries(WHO.map((who, i) => [who, expected[i]])));
	});
});

async function buildFixture(server: TestServer): Promise<Fixture> {
	const ok = async (c: ApiClient, method: string, p: string, body?: unknown) => {
		const res = await c.json(method, p, body);
		if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body;
	};
	const signup = async (email: string) => {
		const c = new ApiClient(server.url);
		await ok(c, 'POST', '/api/auth/signup', { email, password: `${email} password` });
		return c;
	};
	await signup('admin@example.org'); // the first account is the site admin (who sees private networks): none of the principals
	const [owner, editor, viewer, stranger] = await Promise.all(['owner', 'editor', 'viewer', 'stranger'].map((who) => signup(`${who}@example.org`)));

	const network = async (visibility: Visibility | 'elsewhere') => {
		const name = `${visibility} network`;
		const { id } = await ok(owner, 'POST', '/api/networks', { name });
		await ok(owner, 'PATCH', `/api/networks/${id}`, { visibility: visibility === 'elsewhere' ? 'private' : visibility });
		for (const [role, person] of [['editor', editor], ['viewer', viewer]] as const) {
			const { url } = await ok(owner, 'POST', `/api/networks/${id}/invites`, { role });
			await ok(person, 'POST', `/api/invites/${new URL(url).pathname.split('/').pop()}`);
		}
		const { code } = await ok(owner, 'POST', `/api/networks/${id}/join-codes`);
		const audience = new ApiClient(server.url);
		await ok(audience, 'POST', `/api/join/${code}`);
		const installation = await ok(owner, 'POST', `/api/networks/${id}/installations`, {
			name: 'Hall',
			screens: [{ name: 'Wall', kind: 'grid', grid: { rows: 1, cols: 2 } }]
		});
		return { id, name, kioskToken: installation.screens[0].kioskPath.split('/').pop() as string, audience };
	};
	const [priv, unlisted, pub, elsewhere] = await Promise.all((['private', 'unlisted', 'public', 'elsewhere'] as const).map(network));
	return {
		server,
		clients: { anonymous: new ApiClient(server.url), stranger, viewer, editor, owner },
		networks: { private: priv, unlisted, public: pub, elsewhere }
	};
}
