import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KeyCipher } from '../../server/keys/cipher';
import { ProviderKeys } from '../../server/keys/provider-keys';
import { backends, type TestDatabase } from '../helpers/databases';

const OPENAI_KEY = 'sk-test-1234567890abcdef';

describe.each(backends())('provider keys on $name', (backend) => {
	let t: TestDatabase;
	let keys: ProviderKeys;

	beforeAll(async () => {
		t = await backend.open();
		keys = new ProviderKeys(t.db, new KeyCipher(randomBytes(32)));
		await t.db
			.insertInto('users')
			.values([
				{ id: 'alice', email: 'alice@example.org', password_hash: 'x' },
				{ id: 'bob', email: 'bob@example.org', password_hash: 'x' }
			])
			.execute();
	});
	afterAll(() => t.close());

	test('a saved key is stored encrypted and listed by its last 4 characters only', async () => {
		const summary = await keys.save('alice', 'openai', OPENAI_KEY);
		expect(summary.last4).toBe('cdef');
		expect(await keys.list('alice')).toEqual([expect.objectContaining({ platform: 'openai', last4: 'cdef' })]);
		const dump = await t.dumpText();
		expect(dump).toContain('cdef');
		expect(dump).not.toContain(OPENAI_KEY);
		expect(dump).not.toContain('1234567890');
		expect(await keys.reveal('alice', 'openai')).toBe(OPENAI_KEY);
	});

	test('replacing a key keeps one row and the new value', async () => {
		await keys.save('alice', 'replicate', 'r8_first_key_0000');
		await keys.save('alice', 'replicate', 'r8_second_key_9999');
		expect(await keys.reveal('alice', 'replicate')).toBe('r8_second_key_9999');
		const rows = await t.db.selectFrom('provider_keys').where('platform', '=', 'replicate').selectAll().execute();
		expect(rows).toHaveLength(1);
		expect(rows[0].last4).toBe('9999');
	});

	test("a ciphertext moved to another user's row fails to decrypt", async () => {
		await keys.save('bob', 'openai', 'sk-bob-0000000000000000');
		const alice = await t.db
			.selectFrom('provider_keys')
			.select('ciphertext')
			.where('user_id', '=', 'alice')
			.where('platform', '=', 'openai')
			.executeTakeFirstOrThrow();
		await t.db
			.updateTable('provider_keys')
			.set({ ciphertext: alice.ciphertext })
			.where('user_id', '=', 'bob')
			.where('platform', '=', 'openai')
			.execute();
		await expect(keys.reveal('bob', 'openai')).rejects.toThrow();
	});

	test("a ciphertext moved to another platform's row fails to decrypt", async () => {
		const alice = await t.db
			.selectFrom('provider_keys')
			.select('ciphertext')
			.where('user_id', '=', 'alice')
			.where('platform', '=', 'openai')
			.executeTakeFirstOrThrow();
		await t.db
			.insertInto('provider_keys')
			.values({ user_id: 'alice', platform: 'huggingface', ciphertext: alice.ciphertext, last4: 'cdef' })
			.execute();
		await expect(keys.reveal('alice', 'huggingface')).rejects.toThrow();
	});

	test('deleting removes the key; deleting again says there is none', async () => {
		await keys.remove('alice', 'replicate');
		expect(await keys.reveal('alice', 'replicate')).toBeNull();
		await expect(keys.remove('alice', 'replicate')).rejects.toMatchObject({ status: 404 });
	});
});
