import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE } from '../../server/sync/protocol';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { networkWithEditors, sameCookies, userId } from '../helpers/cluster-editors';
import { appProvider, probeRoom, synced } from '../helpers/sync-client';
import { until } from '../helpers/wait';

/**
 * Access taken away through one process reaches the sockets another process holds: the
 * control messages go over Redis pub/sub to every process.
 */
describe.skipIf(!clusterAvailable())('cluster mode: removals, logouts and deletions reach sockets on other processes', () => {
	let cluster: TestCluster;
	const providers: Array<ReturnType<typeof appProvider>> = [];

	beforeAll(async () => {
		cluster = await startCluster({ processes: 2 });
		// Pub/sub reaches only subscribers: both processes must be listening before anything is revoked.
		const redis = cluster.redis();
		for (const topic of ['rooms.disconnect', 'rooms.evict']) {
			await until(`both processes subscribed to ${topic}`, async () => {
				const [, count] = (await redis.pubsub('NUMSUB', `${cluster.prefix}:bus:${topic}`)) as [string, number];
				return Number(count) >= 2;
			});
		}
	}, 180_000);
	afterAll(async () => {
		for (const p of providers) p.provider.destroy();
		await cluster?.dispose();
	});

	function canvas(url: string, id: string, client: Parameters<typeof appProvider>[2]) {
		const c = appProvider(url, id, client);
		providers.push(c);
		const closes: number[] = [];
		c.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));
		return { ...c, closes };
	}
	const cookieOf = (client: { cookies: Map<string, string> }) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

	it('a member removed on process A loses the canvas open on process B, and cannot open it again', async () => {
		const [a, b] = cluster.processes.map((p) => p.url);
		// The owner works on A; the member signed up on B and edits there.
		const { people, id } = await networkWithEditors([a, b], 'Removal');
		const [owner, member] = people;
		const open = canvas(b, id, member);
		await synced(open.provider);
		const memberId = await userId(member);
		expect((await owner.json('DELETE', `/api/networks/${id}/members/${memberId}`)).status).toBe(200);
		await until('the member’s socket on B to close', () => open.closes.includes(CLOSE.accessChanged), 5000).catch((error) => {
			throw new Error(`${error.message}\nprocess A:\n${cluster.processes[0].output().slice(-3000)}\nprocess B:\n${cluster.processes[1].output().slice(-3000)}`);
		});
		open.provider.destroy();
		const again = await probeRoom(b, id, { cookie: cookieOf(member), write: (d) => d.getMap('x').set('k', 1), written: () => true });
		expect(again).toBe(404);
	});

	it('a logout on process A closes that session’s canvases on process B for good (4401)', async () => {
		const [a, b] = cluster.processes.map((p) => p.url);
		const { people, id } = await networkWithEditors([a, b], 'Logout');
		const member = people[1];
		const open = canvas(b, id, member);
		await synced(open.provider);
		const onA = sameCookies(member, a);
		expect((await onA.json('POST', '/api/auth/logout')).status).toBe(200);
		await until('the session’s socket on B to close', () => open.closes.includes(CLOSE.loggedOut), 5000);
		expect(open.provider.shouldConnect).toBe(false);
	});

	it('a network deleted on process A closes its canvases on process B as gone (4410)', async () => {
		const [a, b] = cluster.processes.map((p) => p.url);
		const { people, id } = await networkWithEditors([a, b], 'Deleted');
		const [owner, member] = people;
		const open = canvas(b, id, member);
		await synced(open.provider);
		expect((await owner.json('DELETE', `/api/networks/${id}`)).status).toBe(200);
		await until('the canvas on B to close as gone', () => open.closes.includes(CLOSE.gone), 5000);
		const redis = cluster.redis();
		expect(await redis.exists(`${cluster.prefix}:room:${id}`)).toBe(0);
	});
});
