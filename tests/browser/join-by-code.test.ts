import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Issue 14, "Typing a code": /j takes the code shown under the QR code, typed as people type
 * it (lower case, spaces, dashes), on a phone with scripts off, since the form must not need them.
 * Expiring a code reaches into the database, so this file runs on PostgreSQL when it can.
 */
const postgres = !!process.env.TEST_DATABASE_URL;
const session = browserSession(() => startServer({ backend: postgres ? 'postgres' : undefined, env: { PANIC_DUMMY_MODELS: '1' } }));
let server: TestServer;
let browser: Browser;
let ada: BrowserContext;
let networkId: string;

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
	ada = await session.person('ada@example.org');
	({ id: networkId } = await session.call(ada, 'POST', '/api/networks', { name: 'Harbour loop' }));
});
afterAll(() => session.teardown());

const phone = () => browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, javaScriptEnabled: false });

/** Types `text` into /j and submits it the way a thumb does. */
async function typeCode(page: Page, text: string) {
	await page.goto(`${server.url}/j`);
	await page.getByLabel('The code on the screen').fill(text);
	const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Join' }).click()]);
	return response;
}

/** "GPMRHQP27D" as someone copying it off the projector might type it: "gpmrh-qp 27d". */
const sloppily = (code: string) => `${code.slice(0, 5).toLowerCase()}-${code.slice(5, 7).toLowerCase()} ${code.slice(7).toLowerCase()}`;

test('a code typed in lower case with a space and a dash opens the event, without scripts', async () => {
	const { code } = await session.call(ada, 'POST', `/api/networks/${networkId}/join-codes`);
	const ctx = await phone();
	const page = await ctx.newPage();
	await page.goto(`${server.url}/j`);

	// The field is built for a phone: large text, capitals offered, no autocomplete.
	const field = page.getByLabel('The code on the screen');
	expect(await field.getAttribute('autocapitalize')).toBe('characters');
	expect(await field.getAttribute('autocomplete')).toBe('off');
	expect(await field.getAttribute('inputmode')).toBe('text');
	expect(parseFloat(await field.evaluate((el) => getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(24);
	const button = await page.getByRole('button', { name: 'Join' }).boundingBox();
	expect(button!.height).toBeGreaterThanOrEqual(48);
	expect(button!.x + button!.width).toBeLessThanOrEqual(360);

	await typeCode(page, sloppily(code));
	expect(new URL(page.url()).pathname).toBe(`/j/${code}`);
	expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Harbour loop');
	expect(await page.locator('.who').textContent()).toMatch(/^You are /);
	const { sessions } = await session.call(ada, 'GET', `/api/networks/${networkId}/audience`);
	expect(sessions).toHaveLength(1);
	await ctx.close();
});

test('an unknown code says no event has it, and keeps what was typed', async () => {
	const ctx = await phone();
	const page = await ctx.newPage();
	const response = await typeCode(page, 'zzzzz-zzzzz');
	expect(response!.status()).toBe(404);
	expect(await page.getByTestId('join-problem').textContent()).toContain('No event has this code');
	expect(await page.getByLabel('The code on the screen').inputValue()).toBe('zzzzz-zzzzz');
	// Not even the shape of a code (too short): the same answer, with no lookup spent.
	await typeCode(page, 'abc');
	expect(await page.getByTestId('join-problem').textContent()).toContain('No event has this code');
	await ctx.close();
});

test.skipIf(!postgres)('an expired code says so and asks to scan the screen again', async () => {
	const { code } = await session.call(ada, 'POST', `/api/networks/${networkId}/join-codes`);
	const client = new pg.Client({ connectionString: server.databaseUrl });
	await client.connect();
	await client.query(`update join_codes set expires_at = now() - interval '1 second' where code = $1`, [code]);
	await client.end();
	const ctx = await phone();
	const page = await ctx.newPage();
	const response = await typeCode(page, sloppily(code));
	expect(response!.status()).toBe(410);
	expect(new URL(page.url()).pathname).toBe('/j');
	expect(await page.getByTestId('join-problem').textContent()).toBe('This code has expired — scan the screen again.');
	await ctx.close();
});
