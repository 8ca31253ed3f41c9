// Compares V8 heap snapshots (bench:soak --heap-snapshots N writes them): objects and self
// size by constructor name in each, and the constructors that grew the most from the first
// snapshot to the last. Run: npx tsx scripts/bench/heap-diff.ts a.heapsnapshot b.heapsnapshot [...]
//
// Reads the snapshot's flat node array directly (fields named in snapshot.meta.node_fields), so a
// 300 MB snapshot needs no DevTools, only memory for its JSON.
import fs from 'node:fs';
import path from 'node:path';

interface Census {
	count: Map<string, number>;
	bytes: Map<string, number>;
	total: number;
}

function census(file: string): Census {
	const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
	const fields: string[] = snapshot.snapshot.meta.node_fields;
	const types: string[] = snapshot.snapshot.meta.node_types[0];
	const stride = fields.length;
	const at = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
	const nodes: number[] = snapshot.nodes;
	const strings: string[] = snapshot.strings;
	const count = new Map<string, number>();
	const bytes = new Map<string, number>();
	let total = 0;
	for (let i = 0; i < nodes.length; i += stride) {
		const type = types[nodes[i + at.type]];
		// Objects by constructor; everything else by its kind (strings, arrays, code, closures…).
		const key = type === 'object' ? strings[nodes[i + at.name]] : type === 'closure' ? `(closure) ${strings[nodes[i + at.name]]}` : `(${type})`;
		count.set(key, (count.get(key) ?? 0) + 1);
		bytes.set(key, (bytes.get(key) ?? 0) + nodes[i + at.size]);
		total += nodes[i + at.size];
	}
	return { count, bytes, total };
}

const files = process.argv.slice(2);
if (files.length < 2) {
	console.error('usage: tsx scripts/bench/heap-diff.ts first.heapsnapshot … last.heapsnapshot');
	process.exit(2);
}
const censuses = files.map((f) => {
	const c = census(f);
	console.log(`${path.basename(f)}: ${(c.total / 1024 / 1024).toFixed(1)} MB self size, ${[...c.count.values()].reduce((a, b) => a + b, 0)} nodes`);
	return c;
});
const first = censuses[0];
const last = censuses.at(-1)!;
const keys = new Set([...first.count.keys(), ...last.count.keys()]);
const growth = [...keys].map((k) => ({
	key: k,
	counts: censuses.map((c) => c.count.get(k) ?? 0),
	dBytes: (last.bytes.get(k) ?? 0) - (first.bytes.get(k) ?? 0),
	dCount: (last.count.get(k) ?? 0) - (first.count.get(k) ?? 0)
}));
const show = (title: string, rows: typeof growth) => {
	console.log(`\n${title}`);
	console.log('constructor'.padEnd(44) + 'Δ count'.padStart(10) + 'Δ KB'.padStart(10) + '   counts per snapshot');
	for (const r of rows) console.log(r.key.slice(0, 43).padEnd(44) + String(r.dCount).padStart(10) + (r.dBytes / 1024).toFixed(0).padStart(10) + '   ' + r.counts.join(' → '));
};
show('top growers by self size', [...growth].sort((a, b) => b.dBytes - a.dBytes).slice(0, 25));
show('top growers by count', [...growth].sort((a, b) => b.dCount - a.dCount).slice(0, 15));
