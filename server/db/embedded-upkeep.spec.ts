import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from './connect';
import { upkeepOnce } from './embedded-upkeep';

/**
 * The embedded database's bound (embedded-upkeep.ts): PGlite has no autovacuum, so rows updated
 * in place (a run's row on every step) leave dead versions that only a VACUUM lets the table reuse.
 */
describe('embedded database upkeep', async () => {
	const db = await openDatabase({ url: 'memory://' });
	afterAll(() => db.destroy());

	const churn = async () => {
		for (let round = 0; round < 10; round++) await sql`update churn set v = v || 'x'`.execute(db);
	};
	const size = async () => Number((await sql<{ n: string }>`select pg_total_relation_size('churn') as n`.execute(db)).rows[0].n);
	const dead = async () => {
		await sql`select pg_stat_force_next_flush()`.execute(db);
		return deadNow();
	};
	const deadNow = async () => Number((await sql<{ n: string }>`select n_dead_tup as n from pg_stat_user_tables where relname = 'churn'`.execute(db)).rows[0].n);

	it('vacuums tables with dead rows and checkpoints, so a table updated again and again stops growing', async () => {
		await sql`create table churn (id int primary key, v text)`.execute(db);
		await sql`insert into churn select g, repeat('v', 200) from generate_series(1, 2000) g`.execute(db);
		await churn();
		const before = await dead();
		expect(before).toBeGreaterThan(10_000);

		const first = await upkeepOnce(db);
		expect(first.vacuumed).toContain('churn');
		expect(await dead()).toBeLessThan(before / 2);
		const settled = await size();

		// The same churn again fits in the space the vacuum freed (without it: twice the size).
		await churn();
		await upkeepOnce(db);
		expect(await size()).toBeLessThan(settled * 1.25);
	});

	it('leaves tables with few dead rows alone', async () => {
		await sql`create table calm (id int primary key)`.execute(db);
		await sql`insert into calm select g from generate_series(1, 1000) g`.execute(db);
		await sql`delete from calm where id <= 10`.execute(db);
		expect((await upkeepOnce(db)).vacuumed).not.toContain('calm');
	});
});
