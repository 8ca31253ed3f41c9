import * as encoding from 'lib0/encoding';
import { describe, expect, test } from 'vitest';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { decodeMessage, encodeAwareness, encodeAwarenessEntries, encodeQueryAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol';

function docWithText(text: string) {
	const doc = new Y.Doc();
	doc.getMap('m').set('k', text);
	return doc;
}

function frame(...parts: Array<number | Uint8Array>) {
	const e = encoding.createEncoder();
	for (const p of parts) {
		if (typeof p === 'number') encoding.writeVarUint(e, p);
		else encoding.writeVarUint8Array(e, p);
	}
	return encoding.toUint8Array(e);
}

/** A small deterministic PRNG so fuzz failures reproduce. */
function prng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('decodeMessage: what the stock client sends', () => {
	test('sync step 1 carries a state vector', () => {
		const doc = docWithText('a');
		const message = decodeMessage(encodeSyncStep1(doc));
		expect(message.type).toBe('sync-step1');
		if (message.type !== 'sync-step1') return;
		expect(Y.decodeStateVector(message.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVector(doc)));
	});

	test('sync step 2 and update carry an update that reproduces the doc', () => {
		const doc = docWithText('hello');
		for (const [bytes, type] of [
			[encodeSyncStep2(doc, new Uint8Array([0])), 'sync-step2'],
			[encodeUpdate(Y.encodeStateAsUpdate(doc)), 'sync-update']
		] as const) {
			const message = decodeMessage(bytes);
			expect(message.type).toBe(type);
			if (message.type !== 'sync-step2' && message.type !== 'sync-update') return;
			const copy = new Y.Doc();
			Y.applyUpdate(copy, message.update);
			expect(copy.getMap('m').get('k')).toBe('hello');
		}
	});

	test('awareness carries one entry per client id it speaks for, states as JSON text', () => {
		const doc = new Y.Doc();
		const awareness = new Awareness(doc);
		awareness.setLocalState({ name: 'ada' });
		const message = decodeMessage(encodeAwareness(awareness, [doc.clientID]));
		expect(message).toEqual({ type: 'awareness', entries: [{ clientId: doc.clientID, clock: 1, state: '{"name":"ada"}' }], oversized: 0 });
		awareness.destroy();
	});

	test('awareness states over maxPresenceStateBytes are counted and skipped, not decoded', () => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 2);
		for (const [id, state] of [[1, '{"name":"ada"}'], [2, `{"blob":"${'x'.repeat(100)}`]] as const) {
			encoding.writeVarUint(e, id);
			encoding.writeVarUint(e, 1);
			encoding.writeVarString(e, state); // the second is not even JSON: it is never parsed
		}
		const message = decodeMessage(frame(1, encoding.toUint8Array(e)), { maxPresenceStateBytes: 64 });
		expect(message).toEqual({ type: 'awareness', entries: [{ clientId: 1, clock: 1, state: '{"name":"ada"}' }], oversized: 1 });
	});

	test('awareness entries encode back into an update applyAwarenessUpdate takes', () => {
		const doc = new Y.Doc();
		const source = new Awareness(doc);
		source.setLocalState({ name: 'ada' });
		const message = decodeMessage(encodeAwareness(source, [doc.clientID]));
		if (message.type !== 'awareness') throw new Error(message.type);
		const target = new Awareness(new Y.Doc());
		applyAwarenessUpdate(target, encodeAwarenessEntries(message.entries), 'test');
		expect(target.getStates().get(doc.clientID)).toEqual({ name: 'ada' });
		source.destroy();
		target.destroy();
	});

	test('query awareness', () => {
		expect(decodeMessage(encodeQueryAwareness())).toEqual({ type: 'query-awareness' });
	});
});

describe('decodeMessage: garbage becomes invalid, never an exception', () => {
	const update = Y.encodeStateAsUpdate(docWithText('hello'));

	test.each([
		['empty frame', new Uint8Array([])],
		['unknown message type', frame(9)],
		['auth from a client', frame(2, 0)],
		['sync with no step', frame(0)],
		['unknown sync step', frame(0, 7, update)],
		['step 1 without a state vector', frame(0, 0)],
		['state vector that is not one', frame(0, 0, new Uint8Array([5, 1]))],
		['update length beyond the frame', new Uint8Array([0, 2, 200, 1, 2, 3])],
		['update of random bytes', frame(0, 2, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))],
		['truncated update', frame(0, 2, update.slice(0, update.length - 3))],
		['trailing bytes after a valid message', new Uint8Array([...encodeUpdate(update), 0])],
		['varuint that never ends', new Uint8Array(20).fill(0xff)],
		['awareness with an empty state string', frame(1, frame(1, 7, 1, 0))],
		['awareness with a count beyond its entries', frame(1, new Uint8Array([3, 1, 1, 2, 0x7b, 0x7d]))],
		['query awareness with a payload', frame(3, 1)]
	])('%s', (_label, bytes) => {
		const message = decodeMessage(bytes);
		expect(message.type).toBe('invalid');
		if (message.type === 'invalid') {
			expect([1003, 1007]).toContain(message.code);
			expect(message.reason.length).toBeGreaterThan(0);
			expect(message.reason.length).toBeLessThanOrEqual(123);
		}
	});

	test('junk after a complete update inside its payload is ignored, as Y.applyUpdate would', () => {
		// Harmless: the room stores what the doc's 'update' event re-encodes, never these bytes.
		const message = decodeMessage(frame(0, 2, new Uint8Array([...update, 0xff, 0xff])));
		expect(message.type).toBe('sync-update');
	});

	test('awareness whose state is not JSON', () => {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 1); // one client
		encoding.writeVarUint(e, 42); // id
		encoding.writeVarUint(e, 1); // clock
		encoding.writeVarString(e, '{not json');
		expect(decodeMessage(frame(1, encoding.toUint8Array(e))).type).toBe('invalid');
	});

	test('5,000 random frames decode without throwing, none as an update', () => {
		const random = prng(1234);
		let updates = 0;
		for (let i = 0; i < 5000; i++) {
			const bytes = new Uint8Array(8 + Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
			// Bias a third of them towards plausible headers so the deeper decoders get exercised.
			if (i % 3 === 0) bytes.set([0, 1 + (i % 2)]);
			if (i % 3 === 1) bytes.set([1]);
			const message = decodeMessage(bytes);
			if (message.type === 'sync-step2' || message.type === 'sync-update') updates++;
		}
		expect(updates).toBe(0);
	});
});
