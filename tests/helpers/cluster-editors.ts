import { expect } from 'vitest';
import { ApiClient } from './server';

/**
 * People for multi-process tests: one account per URL, each signed up on its own process
 * (cookies work on every process: one database, one secret). The first owns a new network;
 * the others are invited into it as editors.
 */
export async function networkWithEditors(urls: string[], name = 'Shared'): Promise<{ people: ApiClient[]; id: string }> {
	const people = urls.map((url) => new ApiClient(url));
	const tag = Math.random().toString(36).slice(2, 8);
	for (const [i, person] of people.entries()) {
		const signup = await person.json('POST', '/api/auth/signup', { email: `editor${i}-${tag}@example.org`, password: `password number ${i}` });
		expect(signup.status).toBe(201);
	}
	const [owner, ...others] = people;
	const id = (await owner.json('POST', '/api/networks', { name })).body.id as string;
	for (const other of others) {
		const invite = await owner.json('POST', `/api/networks/${id}/invites`, { role: 'editor' });
		expect((await other.json('POST', `/api/invites/${invite.body.url.split('/').pop()}`)).status).toBeLessThan(300);
	}
	return { people, id };
}

/** The same person speaking to another process (a new URL after a restart, another process's API). */
export function sameCookies(client: ApiClient, url: string): ApiClient {
	const copy = new ApiClient(url);
	copy.cookies = new Map(client.cookies);
	return copy;
}

/** The signed-in user's id. */
export async function userId(client: ApiClient): Promise<string> {
	const me = await client.json('GET', '/api/me');
	return (me.body.user?.id ?? me.body.id) as string;
}
