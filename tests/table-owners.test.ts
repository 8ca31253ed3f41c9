import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

/**
 * Every table has one owner module; others ask it (issue 13). This reads the source of
 * server/, src/ and scripts/ and fails on SQL against `runs` or `invocations` outside the runs
 * reader and writer, or against `networks` outside the networks domain: query-builder calls
 * (selectFrom, updateTable, insertInto, deleteFrom, mergeInto, joins) and raw sql`` naming them.
 */
const ROOT = path.resolve(__dirname, '..');
const SCANNED = ['server', 'src', 'scripts'];

interface Rule {
	table: string;
	/** Where SQL against the table may live (paths from the repository root; a trailing / is a folder). */
	owners: string[];
	/** Files allowed for now, each with why; the test fails once one no longer needs it. */
	allowed: Record<string, string>;
}

const RULES: Rule[] = [
	{
		table: 'runs',
		owners: ['server/engine/run-reader.ts', 'server/engine/run-writer.ts'],
		allowed: {
			'scripts/bench/engine.ts': "bench:engine's reference: the bare cost of the engine's writes, straight through Kysely, by design"
		}
	},
	{
		table: 'invocations',
		owners: ['server/engine/run-reader.ts', 'server/engine/run-writer.ts'],
		allowed: {
			'scripts/bench/engine.ts': "bench:engine's reference: the bare cost of the engine's writes, straight through Kysely, by design"
		}
	},
	{
		table: 'networks',
		owners: ['server/networks/'],
		allowed: {}
	},
	{
		table: 'experiments',
		owners: ['server/experiments/store.ts'],
		allowed: {}
	},
	{
		table: 'experiment_runs',
		owners: ['server/experiments/store.ts'],
		allowed: {}
	},
	{
		table: 'atlas_cache',
		owners: ['server/atlas/store.ts'],
		allowed: {}
	}
];

const BUILDER = ['selectFrom', 'updateTable', 'insertInto', 'deleteFrom', 'mergeInto', 'innerJoin', 'leftJoin', 'rightJoin', 'fullJoin', 'crossJoin'];

/** Where `source` issues SQL against `table`: one short description per hit. */
export function sqlAgainst(source: string, table: string): string[] {
	const hits: string[] = [];
	// .selectFrom('runs'), .selectFrom('runs as r'), .selectFrom(['runs', ...]), .innerJoin("runs", ...)
	const builder = new RegExp(`\\.(${BUILDER.join('|')})\\(\\s*\\[?\\s*['"\`]${table}(\\s+as\\s+\\w+)?['"\`]`, 'g');
	for (const m of source.matchAll(builder)) hits.push(`${m[1]}('${table}')`);
	// sql`select … from runs …`, sql<T>`update "invocations" …`, sql.table('networks')
	const named = new RegExp(`\\b(from|join|update|into|table)\\s+"?${table}"?\\b`, 'i');
	for (const m of source.matchAll(/\bsql(?:<[^>`]*>)?`((?:[^`\\]|\\.)*)`/g)) {
		if (named.test(m[1])) hits.push(`sql\`…${m[1].trim().slice(0, 40)}…\``);
	}
	for (const m of source.matchAll(new RegExp(`sql\\.table\\(\\s*['"\`]${table}['"\`]`, 'g'))) hits.push(m[0]);
	return hits;
}

function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
		const rel = `${dir}/${entry.name}`;
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...sourceFiles(rel));
		} else if (/\.(ts|js|mjs|svelte)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name)) {
			out.push(rel);
		}
	}
	return out;
}

const isOwner = (file: string, owners: string[]) => owners.some((o) => (o.endsWith('/') ? file.startsWith(o) : file === o));

describe('one owner per table', () => {
	test('the scanner sees the query shapes it is meant to catch, and not the ones it should not', () => {
		expect(sqlAgainst(`db.selectFrom('runs').selectAll()`, 'runs')).toHaveLength(1);
		expect(sqlAgainst(`tx.updateTable("invocations").set({})`, 'invocations')).toHaveLength(1);
		expect(sqlAgainst(`db.selectFrom('prompts').innerJoin('networks as n', 'n.id', 'x')`, 'networks')).toHaveLength(1);
		expect(sqlAgainst(`db.selectFrom(['runs', 'users'])`, 'runs')).toHaveLength(1);
		expect(sqlAgainst('await sql`delete from invocations where run_id = ${id}`.execute(db)', 'invocations')).toHaveLength(1);
		expect(sqlAgainst('sql<{ n: number }>`select count(*) from "runs"`', 'runs')).toHaveLength(1);
		expect(sqlAgainst(`sql.table('networks')`, 'networks')).toHaveLength(1);
		// Other tables, JSON keys and prose are not SQL against these.
		expect(sqlAgainst(`db.selectFrom('run_events'); const x = { invocations: [] }; // the runs of a network`, 'runs')).toEqual([]);
		expect(sqlAgainst(`db.insertInto('network_members')`, 'networks')).toEqual([]);
	});

	const files = SCANNED.flatMap(sourceFiles);

	test.each(RULES)('only its owners issue SQL against `$table`', ({ table, owners, allowed }) => {
		const offenders: string[] = [];
		const stillNeeded = new Set<string>();
		for (const file of files) {
			if (isOwner(file, owners)) continue;
			const hits = sqlAgainst(fs.readFileSync(path.join(ROOT, file), 'utf8'), table);
			if (!hits.length) continue;
			if (file in allowed) stillNeeded.add(file);
			else offenders.push(`${file}: ${hits.join(', ')}`);
		}
		expect(offenders, `SQL against ${table} outside ${owners.join(', ')}: ask the owner instead`).toEqual([]);
		// An allowance nobody needs any more goes, so it cannot hide a new offence later.
		expect(Object.keys(allowed).filter((f) => !stillNeeded.has(f)), 'allowlist entries that can be removed').toEqual([]);
		// The owners themselves are where the SQL is: if none has any, the rule names the wrong files.
		expect(files.filter((f) => isOwner(f, owners)).some((f) => sqlAgainst(fs.readFileSync(path.join(ROOT, f), 'utf8'), table).length)).toBe(true);
	});
});
