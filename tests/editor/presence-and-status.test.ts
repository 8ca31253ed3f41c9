import { afterEach, describe, expect, test, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { Presence, colorFor, type Peer } from '$lib/editor/presence';
import { deriveStatus, watchSyncStatus, type ProviderLike, type SyncStatus } from '$lib/editor/sync-status';
import { throttle } from '$lib/editor/throttle';

afterEach(() => vi.useRealTimers());

describe('throttle', () => {
	test('runs the first call at once, then the latest call once per interval; flush and cancel', () => {
		vi.useFakeTimers();
		const calls: number[] = [];
		const t = throttle((n: number) => calls.push(n), 50);
		t(1);
		t(2);
		t(3);
		expect(calls).toEqual([1]);
		vi.advanceTimersByTime(50);
		expect(calls).toEqual([1, 3]);
		t(4);
		t.flush();
		expect(calls).toEqual([1, 3, 4]);
		t(5);
		t.cancel();
		vi.advanceTimersByTime(100);
		expect(calls).toEqual([1, 3, 4]);
	});
});

/** Two clients' awareness linked the way the provider links them. */
function linkedAwareness() {
	const a = new Awareness(new Y.Doc());
	const b = new Awareness(new Y.Doc());
	const relay = (from: Awareness, to: Awareness) =>
		from.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
			if (origin !== 'wire') applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [...added, ...updated, ...removed]), 'wire');
		});
	relay(a, b);
	relay(b, a);
	return { a, b };
}

describe('Presence', () => {
	test('publishes { user, cursor } and lists everyone, yourself first', () => {
		const { a, b } = linkedAwareness();
		const ada = new Presence(a, { name: 'ada@example.org', color: 'red' });
		const bob = new Presence(b, { name: 'bob@example.org', color: 'blue' });
		expect(a.getLocalState()).toEqual({ user: { name: 'ada@example.org', color: 'red' }, cursor: null });
		const seen: Peer[][] = [];
		bob.subscribe((p) => seen.push(p));
		expect(seen.at(-1)!.map((p) => [p.name, p.isSelf])).toEqual([
			['bob@example.org', true],
			['ada@example.org', false]
		]);
		ada.destroy();
		bob.destroy();
	});

	test('cursor moves are throttled to ~20 Hz and leaving clears the cursor at once', () => {
		vi.useFakeTimers();
		const { a, b } = linkedAwareness();
		const ada = new Presence(a, { name: 'ada', color: 'red' });
		const bob = new Presence(b, { name: 'bob', color: 'blue' });
		const adaSeenByBob = () => bob.peers.find((p) => p.name === 'ada')!.cursor;
		ada.setCursor({ x: 10.4, y: 20.6 });
		expect(adaSeenByBob()).toEqual({ x: 10, y: 21 });
		ada.setCursor({ x: 30, y: 30 });
		ada.setCursor({ x: 40, y: 40 });
		expect(adaSeenByBob()).toEqual({ x: 10, y: 21 });
		vi.advanceTimersByTime(50);
		expect(adaSeenByBob()).toEqual({ x: 40, y: 40 });
		ada.setCursor({ x: 50, y: 50 });
		ada.setCursor(null);
		vi.advanceTimersByTime(100);
		expect(adaSeenByBob()).toBeNull();
		ada.destroy();
		bob.destroy();
	});

	test('colours are stable per person', () => {
		expect(colorFor('user-1')).toBe(colorFor('user-1'));
		expect(colorFor('user-1')).not.toBe(colorFor('user-2'));
	});
});

describe('sync status', () => {
	test('deriveStatus', () => {
		expect(deriveStatus({ synced: false, hadTrouble: false, offline: false })).toBe('connecting');
		expect(deriveStatus({ synced: true, hadTrouble: true, offline: false })).toBe('connected');
		expect(deriveStatus({ synced: false, hadTrouble: true, offline: false })).toBe('reconnecting');
		expect(deriveStatus({ synced: true, hadTrouble: false, offline: true })).toBe('offline');
	});

	test('follows the provider through connect, sync, drop and the browser going offline', () => {
		const handlers = new Map<string, Array<() => void>>();
		const provider: ProviderLike & { emit(e: string): void } = {
			wsconnected: false,
			synced: false,
			on: (e, fn) => handlers.set(e, [...(handlers.get(e) ?? []), fn as () => void]),
			off: (e, fn) => handlers.set(e, (handlers.get(e) ?? []).filter((f) => f !== fn)),
			emit: (e) => handlers.get(e)?.forEach((f) => f())
		};
		const win = Object.assign(new EventTarget(), { navigator: { onLine: true } });
		const seen: SyncStatus[] = [];
		const stop = watchSyncStatus(provider, (s) => seen.push(s), win);
		provider.wsconnected = true;
		provider.emit('status');
		provider.synced = true;
		provider.emit('sync');
		provider.wsconnected = provider.synced = false;
		provider.emit('connection-close');
		provider.emit('status');
		win.navigator.onLine = false;
		win.dispatchEvent(new Event('offline'));
		win.navigator.onLine = true;
		win.dispatchEvent(new Event('online'));
		provider.wsconnected = provider.synced = true;
		provider.emit('sync');
		expect(seen).toEqual(['connecting', 'connected', 'reconnecting', 'offline', 'reconnecting', 'connected']);
		stop();
		expect([...handlers.values()].every((list) => list.length === 0)).toBe(true);
	});
});
