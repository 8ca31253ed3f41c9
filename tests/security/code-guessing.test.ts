/**
 * Issue 14: join codes guessed from one address. A script tries codes by every door a phone
 * uses — the join API, the scanned link /j/<code> and the /j form — as fast as it is answered.
 * After a few wrong codes the address is refused with 429 "Too many tries", before any lookup
 * (so even the right code tells it nothing); a phone at another address still joins with the
 * real code, and /api/health answers within 200 ms throughout, watched from a second process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { flood } from './flood';
import { underAttack } from './health-watch';

/** A client behind `address` (the server reads X-Forwarded-For, as behind a venue's proxy). */
class From extends ApiClient {
	constructor(
		base: string,
		readonly address: string
	) {
		super(base);
	}
	request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
		return super.request(method, path, body, { 'x-forwarded-for': this.address, ...headers });
	}
}

const GUESSER = '198.51.100.66';
const PER_MINUTE = 20;
const TOO_MANY = 'Too many tries — wait a minute, then check the code against the screen.';
/** Ten symbols of the code alphabet: well-formed, so each one costs a lookup unless refused first. */
const guess = (i: number) => `ZZZZZ${String(i).padStart(5, '2').replace(/[01]/g, 'Q')}`;

describe('join code guessing', () => {
	let server: TestServer;
	let owner: From;
	let code: string;

	beforeAll(async () => {
		server = await startServer({
			env: { ADDRESS_HEADER: 'x-forwarded-for', PANIC_CODE_GUESSES_PER_ADDRESS_PER_MINUTE: String(PER_MINUTE) }
		});
		owner = new From(server.url, '198.51.100.1');
		await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' });
		const id = (await owner.json('POST', '/api/networks', { name: 'Symposium' })).body.id;
		code = (await owner.json('POST', `/api/networks/${id}/join-codes`)).body.code;
	}, 120_000);
	afterAll(() => server?.dispose());

	test('a flood of guesses from one address is refused after a few, by every door; another address joins, health stays fast', async () => {
		const guesser = new From(server.url, GUESSER);
		let i = 0;
		const doors = [
			async () => {
				const r = await guesser.json('POST', `/api/join/${guess(i++)}`);
				return { door: 'api', status: r.status, text: r.body.error as string, retry: r.res.headers.get('retry-after') };
			},
			async () => {
				const r = await guesser.request('GET', `/j/${guess(i++)}`);
				return { door: 'link', status: r.status, text: await r.text(), retry: null };
			},
			// As a browser posts the form with scripts off (an Accept of text/html gets the page, not the action's JSON).
			async () => {
				const r = await guesser.request('POST', '/j', `code=${guess(i++)}`, { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });
				return { door: 'form', status: r.status, text: await r.text(), retry: r.headers.get('retry-after') };
			}
		];
		const { result } = await underAttack(
			server.url,
			async () => {
				let n = 0;
				const answers = await flood(300, 8, () => doors[n++ % doors.length]());
				// Someone at the venue, behind another address, joins with the real code meanwhile.
				const phone = await new From(server.url, '198.51.100.67').json('POST', `/api/join/${code}`);
				// The guesser's address learns nothing from the right code now either.
				const lucky = await guesser.json('POST', `/api/join/${code}`);
				return { answers, phone, lucky };
			},
			{ maxMs: 200, label: '300 code guesses from one address' }
		);
		const { answers, phone, lucky } = result;
		const wrong = answers.filter((a) => a.status === 404);
		const refused = answers.filter((a) => a.status === 429);
		expect(wrong.length + refused.length).toBe(answers.length);
		// The limit, and what refilled (one every 3 s) while the flood ran; a few in flight may slip past together.
		expect(wrong.length).toBeGreaterThanOrEqual(PER_MINUTE);
		expect(wrong.length).toBeLessThanOrEqual(PER_MINUTE + 12);
		expect(refused.length).toBeGreaterThanOrEqual(250);
		for (const door of ['api', 'link', 'form']) {
			const answer = refused.find((a) => a.door === door);
			expect(answer?.text, door).toContain(door === 'api' ? TOO_MANY : 'Too many tries — wait a minute');
		}
		for (const a of refused.filter((a) => a.door !== 'link')) expect(Number(a.retry)).toBeGreaterThan(0);
		// The scanned link's page does not promise to let the guesser in by itself, as it does when a crowd joins.
		expect(refused.find((a) => a.door === 'link')?.text).not.toContain('trying again');

		expect(phone.status).toBe(200);
		expect(lucky).toMatchObject({ status: 429, body: { error: TOO_MANY } });
	}, 120_000);
});
