// What a graph room's Yjs history costs (issue 18): N note moves by 15 editors (x and y set on
// the note's Y.Map, as the canvas and bench:soak's editors do) applied to a room doc, with and
// without the update gate's shadow, then the same room after an in-place history compaction. Prints
// structs, encoded bytes and heap held (after full collections).
//
//   npm run bench:graph-history [-- moves=20000]
import * as Y from 'yjs';
import { GraphWriteRule } from '../../server/graph/write-rule';
import { compactHistory, structCount } from '../../server/sync/history-compaction';
import { UpdateGate } from '../../server/sync/update-gate';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with node --expose-gc.');
const heap = () => (gc(), gc(), process.memoryUsage().heapUsed);
const MOVES = Number(process.argv[2] ?? 20000);

function build(withGate: boolean) {
	const room = new Y.Doc();
	room.transact(() => {
		room.getMap('meta').set('schemaVersion', 1);
		for (let i = 0; i < 20; i++) {
			const m = new Y.Map<unknown>();
			m.set('text', `note ${i}`);
			m.set('x', 0);
			m.set('y', 0);
			room.getMap('notes').set(`n${i}`, m);
		}
	});
	const gate = withGate ? new UpdateGate(new GraphWriteRule(), () => room) : null;
	const editors = Array.from({ length: 15 }, () => {
		const d = new Y.Doc();
		Y.applyUpdate(d, Y.encodeStateAsUpdate(room));
		return d;
	});
	for (let i = 0; i < MOVES; i++) {
		const e = editors[i % editors.length];
		let update: Uint8Array | null = null;
		const take = (u: Uint8Array) => (update = u);
		e.on('update', take);
		const note = e.getMap<Y.Map<unknown>>('notes').get(`n${i % 20}`)!;
		e.transact(() => {
			note.set('x', i);
			note.set('y', i);
		});
		e.off('update', take);
		let applied: Uint8Array = update!;
		if (gate) {
			const admission = gate.admit(update!);
			if (!admission.ok || !admission.update) throw new Error('refused');
			applied = admission.update;
		}
		Y.applyUpdate(room, applied);
		for (const other of editors) if (other !== e) Y.applyUpdate(other, update!);
	}
	for (const e of editors) e.destroy();
	return { room, gate };
}

function measure(label: string, make: () => { room: Y.Doc; gate?: UpdateGate | null }) {
	const base = heap();
	let held: { room: Y.Doc; gate?: UpdateGate | null } | null = make();
	const withIt = heap();
	const info = { structs: structCount(held.room), encodedBytes: Y.encodeStateAsUpdate(held.room).length };
	const bytes = Math.max(withIt - base, 0);
	held = null;
	console.log(`${label.padEnd(38)} structs ${String(info.structs).padStart(7)}  encoded ${String(info.encodedBytes).padStart(8)} B  heap held ${(bytes / 1e6).toFixed(2).padStart(6)} MB  (${Math.round(bytes / MOVES)} B/move)`);
}

// A first build pays for compiling Yjs's paths (several MB of code and feedback), so that the
// figures below are what the docs hold.
build(true).gate!.destroy();
console.log(`graph history after ${MOVES} note moves by 15 editors (20 notes):`);
measure('room doc', () => build(false));
measure('room doc + gate shadow', () => build(true));
{
	// The same room before and after compacting it in place: what compaction gives back.
	const { room, gate } = build(true);
	const full = heap();
	const structs = structCount(room);
	compactHistory(room);
	gate!.rebuild();
	const freed = full - heap();
	console.log(`${'compacted in place (doc + shadow)'.padEnd(38)} structs ${String(structCount(room)).padStart(7)}  encoded ${String(Y.encodeStateAsUpdate(room).length).padStart(8)} B  heap freed ${(freed / 1e6).toFixed(2).padStart(6)} MB  (${structs} structs before)`);
}
