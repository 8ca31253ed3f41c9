import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KyselyAvailabilityStore } from '../../server/platforms/availability/store';
import { backends, type TestDatabase } from '../helpers/databases';

/** The availability table: a check's answers replace the last ones; a step's mark merges into them. */
describe.each(backends())('availability store on $name', (backend) => {
	let t: TestDatabase;
	let store: KyselyAvailabilityStore;
	const at = '2026-11-01T12:00:00.000Z';

	beforeAll(async () => {
		t = await backend.open();
		store = new KyselyAvailabilityStore(t.db);
		await t.db
			.insertInto('users')
			.values([
				{ id: 'alice', email: 'alice@example.org', password_hash: 'x' },
				{ id: 'bob', email: 'bob@example.org', password_hash: 'x' }
			])
			.execute();
	});
	afterAll(() => t.close());

	test('saves, merges marks, replaces on the next check, and clears', async () => {
		expect(await store.load('alice')).toEqual([]);
		// A mark before any check creates the row with no check time.
		await store.mark('alice', 'openai', 'openai/a', { available: false, reason: 'gone', at });
		expect(await store.load('alice')).toEqual([{ platform: 'openai', checkedAt: null, error: null, answers: { 'openai/a': { available: false, reason: 'gone', at } } }]);

		const checkedAt = new Date(at);
		await store.save('alice', { platform: 'openai', checkedAt, error: null, answers: { 'openai/a': { available: true, at }, 'openai/b': { available: true, at } } });
		await store.mark('alice', 'openai', 'openai/b', { available: false, reason: 'found gone mid-run', at });
		const [row] = await store.load('alice');
		expect(row.checkedAt?.toISOString()).toBe(at);
		expect(row.answers).toEqual({ 'openai/a': { available: true, at }, 'openai/b': { available: false, reason: 'found gone mid-run', at } });

		await store.save('alice', { platform: 'openai', checkedAt, error: 'could not check: outage', answers: {} });
		expect((await store.load('alice'))[0]).toMatchObject({ error: 'could not check: outage', answers: {} });
		expect(await store.load('bob')).toEqual([]);

		await store.clear('alice', 'openai');
		expect(await store.load('alice')).toEqual([]);
	});
});
