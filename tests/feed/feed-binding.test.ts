import { describe, expect, test, vi } from 'vitest';
import * as Y from 'yjs';
import { FeedBinding, cardsOf, connectFeed, feedRoom, runMapOf, syncUrlFor } from '$lib/feed/feed-binding';
import type { FeedSnapshot } from '$lib/feed/types';

/**
 * The server's feed doc and one browser's copy, linked the way the provider links them:
 * every server update is applied to the browser doc with a non-local origin.
 */
function serverAndBrowser() {
	const server = new Y.Doc();
	const browser = new Y.Doc();
	server.on('update', (u: Uint8Array) => Y.applyUpdate(browser, u, 'wire'));
	const binding = new FeedBinding(browser, 5);
	const seen: FeedSnapshot[] = [];
	binding.subscribe((s) => seen.push(s));
	return { server, browser, binding, seen };
}

function startRun(doc: Y.Doc, runId: string, extra: Record<string, unknown> = {}) {
	doc.transact(() => {
		const run = runMapOf(doc);
		run.clear();
		for (const [k, v] of Object.entries({ runId, status: 'running', startedAt: '2025-01-01T00:00:00Z', step: 0, ...extra })) run.set(k, v);
	});
}

let n = 0;
function card(runId: string, nodeId: string, seq: number, kind: 'text' | 'image' | 'audio' = 'text', more: Record<string, unknown> = {}) {
	return { id: `c${++n}`, runId, nodeId, modelId: `local/${nodeId}`, seq, kind, createdAt: new Date(seq * 1000).toISOString(), ...(kind === 'text' ? { text: `out ${seq}` } : { url: `/assets/${seq}.png` }), ...more };
}

describe('FeedBinding', () => {
	test('an empty feed has no run and no cards', () => {
		const { binding } = serverAndBrowser();
		expect(binding.current.run).toBeNull();
		expect(binding.current.recent).toEqual([]);
		expect(binding.current.latestByNode.size).toBe(0);
		expect(binding.current.running.size).toBe(0);
	});

	test('run state arrives as a plain snapshot, with running nodes while live', () => {
		const { server, binding, seen } = serverAndBrowser();
		startRun(server, 'r1', { runningNodeIds: ['paint'], input: { kind: 'text', text: 'a dream of the sea' } });
		expect(binding.current.run).toEqual({
			runId: 'r1',
			status: 'running',
			startedAt: '2025-01-01T00:00:00Z',
			step: 0,
			runningNodeIds: ['paint'],
			stopCause: undefined,
			input: { kind: 'text', text: 'a dream of the sea' }
		});
		expect([...binding.current.running]).toEqual(['paint']);
		expect(seen.length).toBeGreaterThan(1);

		// A stopped run highlights nothing, even if the server left the list behind.
		server.transact(() => {
			runMapOf(server).set('status', 'stopped');
			runMapOf(server).set('stopCause', 'stopped');
		});
		expect(binding.current.run).toMatchObject({ status: 'stopped', stopCause: 'stopped' });
		expect(binding.current.running.size).toBe(0);
	});

	test('the latest card per node follows seq; recent is oldest first and capped', () => {
		const { server, binding } = serverAndBrowser();
		startRun(server, 'r1');
		const cards = cardsOf(server);
		cards.push([card('r1', 'paint', 1, 'image'), card('r1', 'caption', 2)]);
		cards.push([card('r1', 'paint', 3, 'image')]);
		// Out of order: seq 5 lands before seq 4.
		cards.push([card('r1', 'caption', 5), card('r1', 'caption', 4)]);
		const { latestByNode, recent } = binding.current;
		expect(latestByNode.get('paint')).toMatchObject({ seq: 3, kind: 'image', url: '/assets/3.png' });
		expect(latestByNode.get('caption')).toMatchObject({ seq: 5, text: 'out 5' });
		expect(recent.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
		cards.push([card('r1', 'paint', 6, 'audio')]);
		expect(binding.current.recent.map((c) => c.seq)).toEqual([2, 3, 4, 5, 6]);
		expect(binding.current.latestByNode.get('paint')).toMatchObject({ seq: 6, kind: 'audio' });
	});

	test('a new run hides the old run\'s cards at once, before the server trims them', () => {
		const { server, binding } = serverAndBrowser();
		startRun(server, 'r1');
		cardsOf(server).push([card('r1', 'paint', 1, 'image')]);
		startRun(server, 'r2');
		expect(binding.current.run?.runId).toBe('r2');
		expect(binding.current.latestByNode.size).toBe(0);
		cardsOf(server).push([card('r2', 'caption', 1)]);
		expect([...binding.current.latestByNode.keys()]).toEqual(['caption']);
	});

	test('trimming the oldest cards is followed', () => {
		const { server, binding } = serverAndBrowser();
		startRun(server, 'r1');
		cardsOf(server).push([card('r1', 'paint', 1, 'image'), card('r1', 'caption', 2), card('r1', 'paint', 3, 'image')]);
		cardsOf(server).delete(0, 2);
		expect(binding.current.recent.map((c) => c.seq)).toEqual([3]);
		expect(binding.current.latestByNode.has('caption')).toBe(false);
	});

	test('malformed cards are skipped and off-origin urls dropped, without losing the rest', () => {
		const { server, binding } = serverAndBrowser();
		startRun(server, 'r1');
		cardsOf(server).push([
			null,
			'nope',
			{ id: 'x', runId: 'r1', nodeId: 'a', seq: 1, kind: 'video' },
			{ id: 'y', runId: 'r1', seq: 2, kind: 'text' },
			card('r1', 'paint', 3, 'image', { url: 'https://evil.example/x.png' }),
			card('r1', 'caption', 4)
		]);
		expect(binding.current.recent.map((c) => c.seq)).toEqual([3, 4]);
		expect(binding.current.latestByNode.get('paint')!.url).toBeUndefined();
	});

	test('run fields of the wrong type are left out; a well-formed finding and running seqs come through', () => {
		const { server, binding } = serverAndBrowser();
		startRun(server, 'r1', { startedAt: 12, input: 'not an object', lockoutUntil: 5, runningSeqs: [3, 'x', 4] });
		expect(binding.current.run).toMatchObject({ runId: 'r1', runningSeqs: [3, 4] });
		expect(binding.current.run!.startedAt).toBeUndefined();
		expect(binding.current.run!.input).toBeUndefined();
		expect(binding.current.run!.lockoutUntil).toBeUndefined();
		expect(binding.current.run!.analysis).toBeUndefined();

		runMapOf(server).set('analysis', { kind: 'sideways', message: 'no' });
		expect(binding.current.run!.analysis).toBeUndefined();
		const finding = { kind: 'cycle', period: 2, step: 6, seq: 6, nodeId: 'paint', message: 'Cycle of period 2 reached at step 6' };
		runMapOf(server).set('analysis', finding);
		expect(binding.current.run!.analysis).toEqual(finding);
	});

	test('a late joiner gets the whole state from one sync', () => {
		const server = new Y.Doc();
		startRun(server, 'r1', { step: 7 });
		cardsOf(server).push([card('r1', 'paint', 1, 'image'), card('r1', 'caption', 2)]);
		const late = new Y.Doc();
		const binding = new FeedBinding(late);
		Y.applyUpdate(late, Y.encodeStateAsUpdate(server), 'wire');
		expect(binding.current.run).toMatchObject({ runId: 'r1', step: 7 });
		expect(binding.current.latestByNode.size).toBe(2);
	});

	test('unsubscribe and destroy stop notifications', () => {
		const { server, binding } = serverAndBrowser();
		const fn = vi.fn();
		const off = binding.subscribe(fn);
		expect(fn).toHaveBeenCalledTimes(1);
		off();
		startRun(server, 'r1');
		expect(fn).toHaveBeenCalledTimes(1);
		const other = vi.fn();
		binding.subscribe(other);
		binding.destroy();
		startRun(server, 'r2');
		expect(other).toHaveBeenCalledTimes(1);
	});
});

describe('connectFeed', () => {
	test('opens room <networkId>/feed on the sync endpoint and tears everything down', () => {
		const made: Array<{ url: string; room: string; doc: Y.Doc; destroyed: boolean }> = [];
		class FakeProvider {
			destroyed = false;
			constructor(
				readonly url: string,
				readonly room: string,
				readonly doc: Y.Doc
			) {
				made.push(this);
			}
			destroy() {
				this.destroyed = true;
			}
		}
		const url = syncUrlFor({ protocol: 'https:', host: 'panic.example' });
		expect(url).toBe('wss://panic.example/sync');
		expect(syncUrlFor({ protocol: 'http:', host: 'localhost:3000' })).toBe('ws://localhost:3000/sync');
		const feed = connectFeed(url, 'net1', FakeProvider);
		expect(made).toHaveLength(1);
		expect(made[0]).toMatchObject({ url, room: feedRoom('net1') });
		expect(made[0].room).toBe('net1/feed');
		// The binding reads the doc the provider fills.
		startRun(made[0].doc, 'r9');
		expect(feed.binding.current.run?.runId).toBe('r9');
		feed.destroy();
		expect(made[0].destroyed).toBe(true);
	});
});
