import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { edgesOf, nodesOf, readGraph, yMapOf } from '../../server/shared/graph/doc';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { networkWithEditors } from '../helpers/cluster-editors';
import { appProvider, synced } from '../helpers/sync-client';
import { until } from '../helpers/wait';

/**
 * The "done when": three editors on three different processes (round-robin, the worst
 * case for routing) edit one network at once; every replica converges within a second of the
 * last edit, and what is stored equals it.
 */
describe.skipIf(!clusterAvailable())('cluster mode: editors on three processes converge', () => {
	let cluster: TestCluster;
	const providers: Array<ReturnType<typeof appProvider>> = [];

	beforeAll(async () => {
		cluster = await startCluster({ processes: 3 });
	}, 180_000);
	afterAll(async () => {
		for (const p of providers) p.provider.destroy();
		await cluster?.dispose();
	});

	it('concurrent adds, moves and removals of nodes and edges end identical everywhere, ≤ 1 s after the last edit, and stored', async () => {
		const urls = cluster.processes.map((p) => p.url);
		// Each editor signs up on its own process and works there.
		const { people, id } = await networkWithEditors(urls, 'Three hands');
		const owner = people[0];
		const editors = people.map((person, i) => appProvider(urls[i], id, person));
		providers.push(...editors);
		await Promise.all(editors.map((e) => synced(e.provider)));

		// Each editor adds its own nodes, links them, moves anyone's nodes and removes some of
		// its own (with their edges): the graph rule never has a reason to refuse any of it.
		const own: Array<Set<string>> = editors.map(() => new Set());
		let edgeCount = 0;
		const step = (i: number, round: number) => {
			const doc = editors[i].doc;
			const nodes = nodesOf(doc);
			const edges = edgesOf(doc);
			const mine = [...own[i]];
			const op = round < 4 ? 0 : round % 5;
			if (op === 0 || op === 1 || mine.length < 2) {
				const nodeId = `n${i}-${round}`;
				nodes.set(nodeId, yMapOf({ modelId: 'dummy/echo', x: round * 10, y: i * 100 }));
				own[i].add(nodeId);
			} else if (op === 2) {
				const [source, target] = [mine[round % mine.length], mine[(round + 1) % mine.length]];
				edges.set(`e${i}-${edgeCount++}`, yMapOf({ source, target }));
			} else if (op === 3) {
				const all = [...nodes.keys()];
				const node = nodes.get(all[(round * 7 + i) % all.length]);
				doc.transact(() => {
					node?.set('x', round * 13 + i);
					node?.set('y', round * 17 - i);
				});
			} else {
				const gone = mine[0];
				doc.transact(() => {
					for (const [edgeId, edge] of edges.entries()) {
						if (edge.get('source') === gone || edge.get('target') === gone) edges.delete(edgeId);
					}
					nodes.delete(gone);
				});
				own[i].delete(gone);
			}
		};
		const rounds = 40;
		await Promise.all(
			editors.map(async (_, i) => {
				for (let round = 0; round < rounds; round++) {
					step(i, round);
					// Paced like a person dragging, so edits from the three interleave.
					await new Promise((resolve) => setTimeout(resolve, 5 + ((round * 3 + i) % 7)));
				}
			})
		);
		const lastEdit = performance.now();
		const shape = (doc: Y.Doc) => normalise(readGraph(doc));
		const converged = await until(
			'the three replicas to agree',
			() => {
				const [a, b, c] = editors.map((e) => JSON.stringify(shape(e.doc)));
				return a === b && b === c && performance.now();
			},
			5000
		);
		const convergenceMs = converged - lastEdit;
		console.log(`[convergence] 3 editors × ${rounds} edits on 3 processes: identical ${convergenceMs.toFixed(0)} ms after the last edit`);
		expect(convergenceMs).toBeLessThanOrEqual(1000);

		const final = shape(editors[0].doc);
		// Nothing was lost on the way: each editor's surviving nodes are there.
		expect(final.nodes.map((n) => n.id).sort()).toEqual(own.flatMap((s) => [...s]).sort());
		expect(final.edges.length).toBeGreaterThan(0);

		// Stored: the API reads the graph on any process, and a fresh client loads it.
		for (const [i, person] of people.entries()) {
			await until(`process ${i}'s stored graph to match`, async () => {
				const stored = await person.json('GET', `/api/networks/${id}/graph`);
				return JSON.stringify(normalise(stored.body)) === JSON.stringify(final);
			}, 5000);
		}
		const fresh = appProvider(urls[1], id, owner);
		providers.push(fresh);
		await synced(fresh.provider);
		expect(shape(fresh.doc)).toEqual(final);

		// Edit → editor on another process, through the whole stack (socket, store, stream, socket).
		const node = final.nodes[0].id;
		const latencies: number[] = [];
		for (let n = 0; n < 30; n++) {
			const x = 10_000 + n;
			const seen = editors.slice(1).map(
				(e) =>
					new Promise<void>((resolve) => {
						const check = () => nodesOf(e.doc).get(node)?.get('x') === x && (e.doc.off('update', check), resolve());
						e.doc.on('update', check);
					})
			);
			const started = performance.now();
			nodesOf(editors[0].doc).get(node)!.set('x', x);
			await Promise.all(seen);
			latencies.push(performance.now() - started);
		}
		latencies.sort((a, b) => a - b);
		console.log(
			`[convergence] edit on process 0 → editors on processes 1 and 2: p50 ${latencies[15].toFixed(1)} ms, max ${latencies[29].toFixed(1)} ms`
		);
		expect(latencies[15]).toBeLessThan(1000);
	}, 60_000);
});

interface Shape {
	nodes: Array<{ id: string }>;
	edges: Array<{ id: string }>;
}

/** Nodes and edges in id order, so two graphs compare as JSON. */
function normalise(graph: Shape): Shape {
	const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
	return { nodes: [...graph.nodes].sort(byId), edges: [...graph.edges].sort(byId) };
}
