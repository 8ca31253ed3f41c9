import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/fake-openai';
import { backends } from './helpers/databases';
import { ApiClient, startServer, type TestServer } from './helpers/server';

const OPENAI_KEY = 'sk-test-1234567890abcdef';

/** Every byte the app stored: PGlite's files, or pg_dump of the Postgres database. */
function fullDump(server: TestServer): Buffer {
	if (server.databaseUrl) return execFileSync('pg_dump', ['--dbname', server.databaseUrl], { maxBuffer: 1 << 28 });
	const chunks: Buffer[] = [];
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else chunks.push(fs.readFileSync(full));
		}
	};
	walk(server.dataDir);
	return Buffer.concat(chunks);
}

describe.each(backends())('HTTP API on $name', ({ name }) => {
	let server: TestServer;
	let fakeOpenAI: FakeOpenAI;
	let ada: ApiClient;

	beforeAll(async () => {
		fakeOpenAI = await startFakeOpenAI({ keys: [OPENAI_KEY] });
		server = await startServer({ backend: name, env: { OPENAI_BASE_URL: fakeOpenAI.baseUrl } });
		ada = new ApiClient(server.url);
	});
	afterAll(async () => {
		await server?.dispose();
		await fakeOpenAI?.close();
	});

	test('health answers once migrations ran', async () => {
		const res = await fetch(`${server.url}/api/health`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ ok: true });
	});

	test('sign-up sets an HttpOnly, SameSite=Lax session cookie with a 160-bit token', async () => {
		const res = await ada.request('POST', '/api/auth/signup', { email: 'ada@example.org', password: 'analytical engine' });
		expect(res.status).toBe(201);
		expect((await res.json()).user).toMatchObject({ email: 'ada@example.org', is_admin: true });
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('panic_session='))!;
		expect(cookie).toMatch(/; HttpOnly/i);
		expect(cookie).toMatch(/; SameSite=Lax/i);
		expect(cookie).toMatch(/; Path=\//i);
		expect(cookie).not.toMatch(/; Secure/i); // plain http on localhost
		expect(cookie).toMatch(/^panic_session=[a-z2-7]{32};/);
		const me = await ada.json('GET', '/api/me');
		expect(me.body.user.email).toBe('ada@example.org');
	});

	test('a second account is not admin; a duplicate email is a 409 JSON error', async () => {
		const bob = new ApiClient(server.url);
		const made = await bob.json('POST', '/api/auth/signup', { email: 'bob@example.org', password: 'difference engine' });
		expect(made.body.user.is_admin).toBe(false);
		const dup = await new ApiClient(server.url).json('POST', '/api/auth/signup', { email: 'BOB@example.org', password: 'xxxxxxxxxx' });
		expect(dup.status).toBe(409);
		expect(dup.body.error).toMatch(/already exists/);
	});

	test('wrong password is a 400 JSON error and sets no cookie', async () => {
		const client = new ApiClient(server.url);
		const res = await client.json('POST', '/api/auth/login', { email: 'ada@example.org', password: 'wrong one!' });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ error: 'Wrong email or password.' });
		expect(client.cookies.size).toBe(0);
	});

	test('logout kills the session server-side: the old cookie no longer works', async () => {
		const client = new ApiClient(server.url);
		await client.json('POST', '/api/auth/login', { email: 'ada@example.org', password: 'analytical engine' });
		const stolen = new Map(client.cookies);
		expect((await client.json('GET', '/api/me')).status).toBe(200);
		const out = await client.request('POST', '/api/auth/logout');
		expect(out.status).toBe(200);
		expect(out.headers.getSetCookie().join()).toMatch(/panic_session=;.*Max-Age=0/i);
		const replay = new ApiClient(server.url);
		replay.cookies = stolen;
		const me = await replay.json('GET', '/api/me');
		expect(me.status).toBe(401);
		expect(me.body.error).toMatch(/Log in/);
	});

	test('an OpenAI key is stored encrypted and shown only as its last 4 characters', async () => {
		const saved = await ada.json('PUT', '/api/me/keys/openai', { key: OPENAI_KEY });
		expect(saved.status).toBe(200);
		expect(JSON.stringify(saved.body)).not.toContain(OPENAI_KEY);
		const list = await ada.request('GET', '/api/me/keys');
		const text = await list.text();
		expect(JSON.parse(text).keys).toEqual([expect.objectContaining({ platform: 'openai', last4: 'cdef' })]);
		expect(text).not.toContain('1234567890');
		const page = await (await ada.request('GET', '/account')).text();
		expect(page).toContain('cdef');
		expect(page).not.toContain(OPENAI_KEY);
	});

	test('check key calls the provider through the official client with the saved key', async () => {
		const ok = await ada.json('POST', '/api/me/keys/openai/check');
		expect(ok.body.result).toEqual(expect.objectContaining({ ok: true }));
		const seen = fakeOpenAI.requests.filter((r) => r.path === '/v1/models');
		expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);

		await ada.json('PUT', '/api/me/keys/openai', { key: 'sk-wrong-0000000000000000' });
		const refused = await ada.json('POST', '/api/me/keys/openai/check');
		expect(refused.body.result).toMatchObject({ ok: false, reason: 'refused' });
		expect(JSON.stringify(refused.body)).not.toContain('sk-wrong');
		await ada.json('PUT', '/api/me/keys/openai', { key: OPENAI_KEY });

		const none = await ada.json('POST', '/api/me/keys/replicate/check');
		expect(none.status).toBe(404);
	});

	test('keys need a session and a known platform', async () => {
		expect((await new ApiClient(server.url).json('PUT', '/api/me/keys/openai', { key: OPENAI_KEY })).status).toBe(401);
		const bad = await ada.json('PUT', '/api/me/keys/myspace', { key: OPENAI_KEY });
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatch(/Unknown platform/);
	});

	test('the model catalogue lists at least 5 local models over the five modality pairs', async () => {
		const { status, body } = await ada.json<Array<{ id: string; platform: string; input: string; output: string }>>('GET', '/api/models');
		expect(status).toBe(200);
		const local = body.filter((m) => m.platform === 'local');
		expect(local.length).toBeGreaterThanOrEqual(5);
		const pairs = new Set(local.map((m) => `${m.input}->${m.output}`));
		for (const pair of ['text->text', 'text->image', 'image->text', 'text->audio', 'audio->text']) expect(pairs).toContain(pair);
		expect(body.some((m) => m.platform === 'dummy')).toBe(false);

		const images = await ada.json<Array<{ input: string }>>('GET', '/api/models?input=image&platform=local&output=');
		expect(images.body.length).toBeGreaterThan(0);
		expect(images.body.every((m) => m.input === 'image')).toBe(true);
		const badFilter = await ada.json('GET', '/api/models?input=smell');
		expect(badFilter.status).toBe(400);
	});

	test('bad input gets clear JSON errors and the server stays up', async () => {
		const malformed = await ada.request('POST', '/api/auth/login', '{"email": "ada@', {});
		expect(malformed.status).toBe(400);
		expect((await malformed.json()).error).toMatch(/Malformed JSON/);

		const huge = await ada.request('PUT', '/api/me/keys/openai', JSON.stringify({ key: 'x'.repeat(2 * 1024 * 1024) }));
		expect(huge.status).toBe(413);
		expect((await huge.json()).error).toMatch(/larger than/);

		const notJson = await ada.request('POST', '/api/auth/login', 'email=a', { 'content-type': 'text/plain' });
		expect([403, 415]).toContain(notJson.status);
		expect(await notJson.json()).toHaveProperty('error');

		const unknown = await ada.json('GET', '/api/no/such/route');
		expect(unknown.status).toBe(404);
		expect(unknown.body.error).toMatch(/No API route/);

		const wrongMethod = await ada.json('DELETE', '/api/models');
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.body).toHaveProperty('error');

		const invalid = await ada.json('POST', '/api/auth/signup', { email: 'not-an-email', password: 'x' });
		expect(invalid.status).toBe(400);
		expect(invalid.body.error).toMatch(/email/i);
		expect(invalid.body.details.fieldErrors).toHaveProperty('email');

		expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
		expect((await ada.json('GET', '/api/me')).status).toBe(200);
	});

	test('an admin can close sign-up over the API', async () => {
		const closed = await ada.json('PATCH', '/api/admin/settings', { signupOpen: false });
		expect(closed.body).toEqual({ signupOpen: false });
		const late = await new ApiClient(server.url).json('POST', '/api/auth/signup', { email: 'late@example.org', password: 'too late now' });
		expect(late.status).toBe(403);
		await ada.json('PATCH', '/api/admin/settings', { signupOpen: true });
	});

	test('a full dump of the database never contains the saved key', async () => {
		await server.stop();
		const dump = fullDump(server);
		expect(dump.length).toBeGreaterThan(1000);
		expect(dump.includes('ada@example.org')).toBe(true); // the dump does see the data
		expect(dump.includes(OPENAI_KEY)).toBe(false);
		expect(dump.includes('1234567890abcdef')).toBe(false);
	});
});
