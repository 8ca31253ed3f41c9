import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { behindCompaction, compactHistory, liveStructCount, stateVectorOf, staleWrite, structCount } from './history-compaction';

/** A small deterministic generator, so a failing seed can be run again. */
function random(seed: number) {
	let s = seed >>> 0 || 1;
	const next = () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 2 ** 32;
	};
	return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: T[]) => list[Math.floor(next() * list.length)] };
}

const json = (doc: Y.Doc) => ({ notes: doc.getMap('notes').toJSON(), meta: doc.getMap('meta').toJSON() });

/** A doc in the graph's shape: notes with x, y and text; meta keys. */
function seeded(clientID?: number): Y.Doc {
	const doc = new Y.Doc();
	if (clientID !== undefined) doc.clientID = clientID;
	doc.transact(() => {
		doc.getMap('meta').set('name', 'loop');
		for (const id of ['a', 'b', 'c']) doc.getMap('notes').set(id, note(id));
	});
	return doc;
}

function note(text: string) {
	const m = new Y.Map<unknown>();
	m.set('text', text);
	m.set('x', 0);
	m.set('y', 0);
	return m;
}

describe('compactHistory', () => {
	test('keeps the content and each key\'s first and last value; a fresh doc loads it; old clients stay in step', () => {
		const server = seeded();
		const client = new Y.Doc();
		Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
		client.on('update', (u: Uint8Array) => Y.applyUpdate(server, u));
		const notes = client.getMap<Y.Map<unknown>>('notes');
		for (let i = 1; i <= 500; i++) {
			client.transact(() => {
				notes.get('a')!.set('x', i);
				notes.get('a')!.set('y', -i);
			});
		}
		const before = structCount(server);
		expect(before).toBeGreaterThan(1000);
		const removed = compactHistory(server);
		expect(removed).toBeGreaterThan(990);
		// The live structs and one kept first value per moved key, plus the merged runs between.
		expect(structCount(server)).toBeLessThan(4 * liveStructCount(server));
		expect(json(server)).toEqual(json(client));

		const fresh = new Y.Doc();
		Y.applyUpdate(fresh, Y.encodeStateAsUpdate(server));
		expect(json(fresh)).toEqual(json(server));
		expect(Y.encodeStateVector(fresh)).toEqual(Y.encodeStateVector(server));

		// The old client, history and all, keeps editing; the server and a fresh client follow.
		fresh.on('update', (u: Uint8Array) => Y.applyUpdate(server, u));
		server.on('update', (u: Uint8Array, origin: unknown) => origin !== 'client' && Y.applyUpdate(client, u, 'server'));
		client.off('update', () => {});
		notes.get('a')!.set('x', 9999);
		Y.applyUpdate(fresh, Y.encodeStateAsUpdate(server, Y.encodeStateVector(fresh)));
		expect(fresh.getMap<Y.Map<unknown>>('notes').get('a')!.get('x')).toBe(9999);
		fresh.getMap<Y.Map<unknown>>('notes').get('b')!.set('y', 7);
		expect(client.getMap<Y.Map<unknown>>('notes').get('b')!.get('y')).toBe(7);
		expect(json(client)).toEqual(json(server));
	});

	test('a write whose origin was compacted away is refused; one made in step is not', () => {
		const server = seeded();
		const away = new Y.Doc();
		Y.applyUpdate(away, Y.encodeStateAsUpdate(server));
		const here = new Y.Doc();
		Y.applyUpdate(here, Y.encodeStateAsUpdate(server));
		for (let i = 1; i <= 10; i++) {
			here.getMap<Y.Map<unknown>>('notes').get('a')!.set('x', i);
			Y.applyUpdate(server, Y.encodeStateAsUpdate(here, Y.encodeStateVector(server)));
		}
		// `away` saw x at its third value, then went offline.
		const third = new Y.Doc();
		Y.applyUpdate(away, Y.encodeStateAsUpdate(here));
		Y.applyUpdate(third, Y.encodeStateAsUpdate(away));
		for (let i = 11; i <= 20; i++) {
			here.getMap<Y.Map<unknown>>('notes').get('a')!.set('x', i);
			Y.applyUpdate(server, Y.encodeStateAsUpdate(here, Y.encodeStateVector(server)));
		}
		compactHistory(server);
		const compactedAt = stateVectorOf(server);
		const sv = Y.encodeStateVector(away);
		away.getMap<Y.Map<unknown>>('notes').get('a')!.set('x', -1);
		expect(staleWrite(server, Y.encodeStateAsUpdate(away, sv), compactedAt)).toMatch(/too far behind/);
		// A key nobody else touched while it was away is still fine.
		const sv2 = Y.encodeStateVector(third);
		third.getMap<Y.Map<unknown>>('notes').get('b')!.set('x', 5);
		expect(staleWrite(server, Y.encodeStateAsUpdate(third, sv2), compactedAt)).toBeNull();
		const sv3 = Y.encodeStateVector(here);
		here.getMap<Y.Map<unknown>>('notes').get('a')!.set('x', 21);
		expect(staleWrite(server, Y.encodeStateAsUpdate(here, sv3), compactedAt)).toBeNull();
	});

	/**
	 * The property that matters: whatever the interleaving, every replica ends with the same
	 * content. Clients edit, go offline and come back, the server compacts at random moments
	 * (not only quiet ones) and refuses what `staleWrite` names; a refused client starts over
	 * from the server's doc, as the editor does on 4409.
	 */
	test.each(Array.from({ length: Number(process.env.FUZZ_SEEDS ?? 40) }, (_, i) => i + 1))('random edits, offline spells and compactions converge (seed %i)', (seed) => {
		const r = random(seed);
		const server = seeded(r.int(2 ** 31));
		let compactedAt = new Map<number, number>();
		type Client = { doc: Y.Doc; online: boolean; outbox: Uint8Array[]; inbox: Uint8Array[] };
		const clients: Client[] = [];
		const freshClient = (): Client => {
			const doc = new Y.Doc();
			doc.clientID = r.int(2 ** 31);
			Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
			const client: Client = { doc, online: true, outbox: [], inbox: [] };
			doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'server' && client.outbox.push(u));
			return client;
		};
		for (let i = 0; i < 4; i++) clients.push(freshClient());
		let refused = 0;
		let compactions = 0;
		/** What the room does with one client update: judge, apply, broadcast. */
		const receive = (from: Client, update: Uint8Array): boolean => {
			if (staleWrite(server, update, compactedAt)) {
				refused++;
				clients[clients.indexOf(from)] = freshClient();
				return false;
			}
			const sv = Y.encodeStateVector(server);
			Y.applyUpdate(server, update);
			const diff = Y.encodeStateAsUpdate(server, sv);
			for (const c of clients) if (c !== from && c.online) c.inbox.push(diff);
			return true;
		};
		const deliver = (c: Client) => {
			for (const u of c.inbox.splice(0)) Y.applyUpdate(c.doc, u, 'server');
		};
		const flush = (c: Client) => {
			for (const u of c.outbox.splice(0)) if (!receive(c, u)) return;
		};
		const reconnect = (c: Client) => {
			if (behindCompaction(Y.encodeStateVector(c.doc), compactedAt)) {
				refused++;
				clients[clients.indexOf(c)] = freshClient();
				return;
			}
			c.online = true;
			c.inbox = [];
			// Sync step 2 both ways, as y-websocket does on reconnect.
			Y.applyUpdate(c.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(c.doc)), 'server');
			c.outbox = [];
			receive(c, Y.encodeStateAsUpdate(c.doc, Y.encodeStateVector(server)));
		};

		for (let step = 0; step < 400; step++) {
			const c = r.pick(clients);
			const roll = r.next();
			const notes = c.doc.getMap<Y.Map<unknown>>('notes');
			if (roll < 0.55) {
				const ids = [...notes.keys()];
				const target = ids.length ? notes.get(r.pick(ids))! : null;
				if (target) c.doc.transact(() => {
					target.set('x', r.int(1000));
					target.set('y', r.int(1000));
				});
			} else if (roll < 0.62) notes.set(`n${seed}-${step}`, note(`made at ${step}`));
			else if (roll < 0.67 && notes.size > 1) notes.delete(r.pick([...notes.keys()]));
			else if (roll < 0.72) c.doc.getMap('meta').set(r.pick(['name', 'startNodeId']), `v${step}`);
			else if (roll < 0.8) c.online ? (c.online = false) : reconnect(c);
			else if (roll < 0.86) {
				compactHistory(server);
				compactedAt = stateVectorOf(server);
				compactions++;
			}
			// Online clients talk in random order and at random times, so writes race.
			for (const other of clients) {
				if (!other.online) continue;
				if (r.next() < 0.5) flush(other);
				if (r.next() < 0.5) deliver(other);
			}
		}
		for (const c of clients) if (!c.online) reconnect(c);
		for (let round = 0; round < 3; round++) for (const c of [...clients]) {
			flush(c);
			deliver(c);
		}
		const expected = json(server);
		for (const c of clients) expect(json(c.doc)).toEqual(expected);
		const fresh = new Y.Doc();
		Y.applyUpdate(fresh, Y.encodeStateAsUpdate(server));
		expect(json(fresh)).toEqual(expected);
		expect(compactions).toBeGreaterThan(0);
		void refused;
	});
});
