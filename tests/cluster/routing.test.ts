import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { ApiClient } from '../helpers/server';
import { readSse } from '../helpers/sse';
import { until } from '../helpers/wait';

/**
 * Routing through HAProxy (deploy/haproxy.cfg): every path that names a network lands on one
 * process, networks spread over the processes, a dead process's networks move to a live one
 * (health checks) while the others stay put (consistent hashing), and a client cannot name its
 * own address in X-Forwarded-For. Each response says which process answered (X-Panic-Process).
 */
const PROCESS = 'x-panic-process';
const SIGNUPS_PER_ADDRESS = 3;

describe.skipIf(!clusterAvailable())('cluster routing through HAProxy', () => {
	let cluster: TestCluster;
	let owner: ApiClient;
	const networks: string[] = [];
	/** The process (index in cluster.processes) each tag names. */
	const processOf = new Map<string, number>();

	beforeAll(async () => {
		cluster = await startCluster({ processes: 3, haproxy: true, env: { SIGNUPS_PER_ADDRESS: String(SIGNUPS_PER_ADDRESS) } });
		for (const [i, p] of cluster.processes.entries()) {
			const tag = (await fetch(`${p.url}/api/health`)).headers.get(PROCESS);
			expect(tag).toMatch(/^[A-Za-z0-9_-]{6,16}$/);
			processOf.set(tag!, i);
		}
		owner = new ApiClient(cluster.url);
		expect((await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'correct horse battery' })).status).toBe(201);
		for (let i = 0; i < 12; i++) {
			const created = await owner.json('POST', '/api/networks', { name: `network ${i}` });
			expect(created.status).toBe(201);
			networks.push(created.body.id);
		}
	}, 180_000);
	afterAll(() => cluster?.dispose());

	const tagOf = (res: Response) => res.headers.get(PROCESS) ?? 'none';

	/** Which process answered each of a network's requests, sync sockets and feed stream. */
	async function landings(networkId: string): Promise<string[]> {
		const tags: string[] = [];
		const paths = [
			`/api/networks/${networkId}`,
			`/api/networks/${networkId}/graph`,
			`/api/networks/${networkId}/runs`,
			`/networks/${networkId}`,
			`/networks/${networkId}/console`,
			`/networks/${networkId}/present`,
			`/networks/${networkId}/display`
		];
		for (const path of paths) {
			const res = await owner.request('GET', path);
			expect(res.status, path).toBeLessThan(500);
			await res.body?.cancel();
			tags.push(tagOf(res));
		}
		for (const room of [networkId, `${networkId}/feed`]) tags.push(await socketLanding(room));
		tags.push(await feedLanding(networkId));
		return tags;
	}

	/** Opens a sync socket through HAProxy as the owner's browser would; the 101 answer names the process. */
	function socketLanding(room: string): Promise<string> {
		const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}/sync/${room}`, { headers: { origin: cluster.url, cookie } });
		return new Promise((resolve, reject) => {
			ws.once('upgrade', (res) => resolve(String(res.headers[PROCESS] ?? 'none')));
			ws.once('unexpected-response', (_req, res) => reject(new Error(`sync ${room}: ${res.statusCode}`)));
			ws.once('error', reject);
		}).finally(() => ws.terminate()) as Promise<string>;
	}

	/** The SSE feed through HAProxy: its first event arrives while the stream stays open (nothing buffers it). */
	async function feedLanding(networkId: string): Promise<string> {
		const res = await owner.request('GET', `/api/networks/${networkId}/feed`);
		expect(res.status).toBe(200);
		const sse = readSse(res.body!);
		try {
			await until('the feed snapshot through HAProxy', () => sse.events.some((e) => e.event === 'snapshot'));
		} finally {
			await sse.cancel().catch(() => {});
		}
		return tagOf(res);
	}

	it("a network's requests, sync sockets and feed land on one process every time; networks spread", async () => {
		const home = new Map<string, string>();
		for (const id of networks) {
			const tags = [...(await landings(id)), ...(await landings(id))];
			expect(new Set(tags), `network ${id}: ${tags.join(' ')}`).toEqual(new Set([tags[0]]));
			expect(processOf.has(tags[0])).toBe(true);
			home.set(id, tags[0]);
		}
		// Twelve networks on three processes: all on one would be a hash that ignores the id
		// (by chance: 3 × (1/3)^12 ≈ 6 in a million).
		const used = new Set(home.values());
		console.log(`[routing] networks per process: ${[...processOf].map(([tag, i]) => `p${i + 1} ${[...home.values()].filter((t) => t === tag).length}`).join(', ')}`);
		expect(used.size).toBeGreaterThanOrEqual(2);
	}, 120_000); // 240 requests, sockets and streams through the proxy, on a machine shared with other suites

	it('X-Forwarded-For a client sends through HAProxy does not change the address the app sees', async () => {
		// Control: straight to a process from loopback (a trusted proxy address), X-Forwarded-For
		// is believed, so each made-up address gets its own sign-up allowance.
		const direct = cluster.processes[0].url;
		for (let i = 1; i <= SIGNUPS_PER_ADDRESS + 1; i++) {
			const res = await fetch(`${direct}/api/auth/signup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: direct, 'x-forwarded-for': `198.51.100.${i}` },
				body: JSON.stringify({ email: `direct${i}@example.org`, password: 'correct horse battery' })
			});
			expect(res.status).toBe(201);
		}
		// Through HAProxy the header is replaced by the real address (127.0.0.1, which already
		// signed the owner up): made-up addresses share that one allowance and run out.
		const statuses: number[] = [];
		for (let i = 1; i <= SIGNUPS_PER_ADDRESS; i++) {
			const res = await fetch(`${cluster.url}/api/auth/signup`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: cluster.url, 'x-forwarded-for': `203.0.113.${i}` },
				body: JSON.stringify({ email: `spoof${i}@example.org`, password: 'correct horse battery' })
			});
			statuses.push(res.status);
		}
		expect(statuses).toEqual([...Array(SIGNUPS_PER_ADDRESS - 1).fill(201), 429]);
	});

	it("when a network's process dies, health checks move it to another process and only its networks move", async () => {
		const before = new Map<string, string>();
		for (const id of networks) before.set(id, tagOf(await owner.request('GET', `/api/networks/${id}`)));
		const victim = networks[0];
		const deadTag = before.get(victim)!;
		await cluster.kill(processOf.get(deadTag)!);
		await until('HAProxy to mark the killed process down', () => /Server panic\/p\d is DOWN/.test(cluster.haproxy!.output()), 10_000);

		const moved = await until('the network answered by a live process', async () => {
			const res = await owner.request('GET', `/api/networks/${victim}`);
			return res.status === 200 && tagOf(res) !== deadTag ? tagOf(res) : null;
		});
		expect(processOf.has(moved)).toBe(true);
		// Settled: the same live process answers every request, socket and stream of the network.
		const tags = await landings(victim);
		expect(new Set(tags)).toEqual(new Set([moved]));
		expect((await owner.json('GET', `/api/networks/${victim}/graph`)).status).toBe(200);
		// Consistent hashing: networks on the surviving processes did not move.
		for (const id of networks) {
			const now = tagOf(await owner.request('GET', `/api/networks/${id}`));
			if (before.get(id) === deadTag) expect(now).not.toBe(deadTag);
			else expect(now, `network ${id}`).toBe(before.get(id));
		}
	}, 60_000);
});
