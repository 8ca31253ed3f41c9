import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesOf, yMapOf } from '../../server/shared/graph/doc';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { networkWithEditors, sameCookies } from '../helpers/cluster-editors';
import { appProvider, synced } from '../helpers/sync-client';
import { until } from '../helpers/wait';

/**
 * The "no acknowledged edit lost": every process is killed (SIGKILL) during a burst
 * of edits from editors on different processes, then restarted. An edit another editor had
 * received went through a process's store before any socket or stream saw it, so it must be
 * in the stored graph afterwards, even though no client is left to re-send it.
 */
describe.skipIf(!clusterAvailable())('cluster mode: killing every process loses no edit anyone had seen', () => {
	let cluster: TestCluster;
	const providers: Array<ReturnType<typeof appProvider>> = [];

	beforeAll(async () => {
		cluster = await startCluster({ processes: 3 });
	}, 180_000);
	afterAll(async () => {
		for (const p of providers) p.provider.destroy();
		await cluster?.dispose();
	});

	it('every edit received by another editor is stored after kill -9 of all processes and a restart', async () => {
		const urls = cluster.processes.map((p) => p.url);
		const { people, id } = await networkWithEditors(urls, 'Burst');
		const editors = people.map((person, i) => appProvider(urls[i], id, person));
		providers.push(...editors);
		await Promise.all(editors.map((e) => synced(e.provider)));

		// What each editor received from the others (through its socket, so from the server).
		const received = new Set<string>();
		editors.forEach((e, i) =>
			e.doc.on('update', (_update: Uint8Array, origin: unknown) => {
				if (origin !== e.provider) return;
				for (const key of nodesOf(e.doc).keys()) if (!key.startsWith(`n${i}-`)) received.add(key);
			})
		);
		let bursting = true;
		const made = [0, 0, 0];
		const bursts = editors.map(async (e, i) => {
			while (bursting) {
				const n = made[i]++;
				nodesOf(e.doc).set(`n${i}-${n}`, yMapOf({ modelId: 'dummy/echo', x: n, y: i * 100 }));
				await new Promise((resolve) => setTimeout(resolve, 3));
			}
		});
		await until('the editors to have received a good part of each other’s burst', () => received.size >= 60, 20_000);
		// Mid-burst: all three at once.
		await Promise.all(urls.map((_, i) => cluster.kill(i)));
		bursting = false;
		await Promise.all(bursts);
		const seen = new Set(received); // frozen: nothing can arrive from a dead process
		// No client may re-send its own edits to the new processes: only the store speaks now.
		for (const e of editors) e.provider.destroy();

		const restarted = await Promise.all(urls.map((_, i) => cluster.restart(i)));
		const reader = sameCookies(people[0], restarted[2].url);
		const stored = await reader.json('GET', `/api/networks/${id}/graph`);
		expect(stored.status).toBe(200);
		const storedIds = new Set((stored.body.nodes as Array<{ id: string }>).map((n) => n.id));
		const missing = [...seen].filter((key) => !storedIds.has(key));
		console.log(
			`[no-lost-edits] made ${made.reduce((a, b) => a + b)} edits, ${seen.size} received by another editor before the kill, ${storedIds.size} stored, ${missing.length} missing`
		);
		expect(missing).toEqual([]);

		// And the restarted processes serve it to a fresh client on each of them.
		for (const [i, server] of restarted.entries()) {
			const fresh = appProvider(server.url, id, sameCookies(people[i], server.url));
			providers.push(fresh);
			await synced(fresh.provider);
			expect([...seen].every((key) => nodesOf(fresh.doc).has(key))).toBe(true);
		}
	}, 120_000);
});
