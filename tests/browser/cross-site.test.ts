import http from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { ApiClient, freePort, startServer } from '../helpers/server';

/**
 * Issue 11, findings 4 and 13, as a browser sees them: a page on the same host but another port
 * (same site, another origin: the attack the issue reproduced) tries to act with the victim's
 * cookie and to frame PANIC. Its no-cors fetches, form posts and WebSocket are refused and change
 * nothing; only the kiosk page may be framed, by the origin KIOSK_FRAME_ANCESTORS names.
 */
const evil = { port: 0, pages: new Map<string, string>(), server: undefined as unknown as http.Server };
const session = browserSession(async () => {
	evil.port = await freePort();
	return startServer({ env: { KIOSK_FRAME_ANCESTORS: `http://127.0.0.1:${evil.port}` } });
});
const { person, call } = session;
let ada: BrowserContext;
let phone: ApiClient;
let networkId: string;
let kioskPath: string;

beforeAll(async () => {
	evil.server = http.createServer((req, res) => {
		const page = evil.pages.get(req.url ?? '');
		res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
	});
	await session.setup();
	await new Promise<void>((resolve) => evil.server.listen(evil.port, '127.0.0.1', resolve));
	ada = await person('ada@example.org');
	({ id: networkId } = await call(ada, 'POST', '/api/networks', { name: 'Target' }));
	await call(ada, 'PATCH', `/api/networks/${networkId}`, { audience: { queueMode: 'moderated' } });
	const { code } = await call(ada, 'POST', `/api/networks/${networkId}/join-codes`);
	phone = new ApiClient(session.server.url);
	expect((await phone.json('POST', `/api/join/${code}`)).status).toBe(200);
	const installation = await call(ada, 'POST', `/api/networks/${networkId}/installations`, {
		name: 'Hall',
		screens: [{ name: 'Wall', kind: 'grid', grid: { rows: 1, cols: 1 } }]
	});
	kioskPath = installation.screens[0].kioskPath;
}, 120_000);
afterAll(async () => {
	await session.teardown();
	await new Promise((resolve) => evil.server?.close(resolve));
});

const panicUrl = (path: string) => session.server.url + path;

/** Serves `html` from the attacker's port and opens it in the victim's browser. */
async function openEvil(path: string, html: string): Promise<Page> {
	evil.pages.set(path, `<!doctype html><html><head><title>loading</title></head><body>${html}</body></html>`);
	const page = await ada.newPage();
	await page.goto(`http://127.0.0.1:${evil.port}${path}`);
	return page;
}

/** What the attack would have changed, read as the owner and the phone see it. */
async function state() {
	const current = await call(ada, 'GET', `/api/networks/${networkId}/join-codes/current`);
	const queue = await call(ada, 'GET', `/api/networks/${networkId}/prompts`);
	const phonePrompts = await phone.json('GET', `/api/networks/${networkId}/prompts`);
	const network = await ada.request.get(panicUrl(`/api/networks/${networkId}`));
	return { code: current.code, waiting: queue.waiting.length, phone: phonePrompts.status, network: network.status() };
}

test("no-cors fetches from another port of the same host carry the cookie but change nothing", async () => {
	const before = await state();
	expect(before).toMatchObject({ phone: 200, network: 200, waiting: 0 });
	const page = await openEvil(
		'/fetch',
		`<script>
			const at = (path, init = {}) => fetch(${JSON.stringify(session.server.url)} + path, { method: 'POST', mode: 'no-cors', credentials: 'include', ...init });
			Promise.allSettled([
				at('/api/networks/${networkId}/end-event'),
				at('/api/networks/${networkId}/join-codes'),
				at('/api/networks/${networkId}/prompts', { headers: { 'content-type': 'text/plain' }, body: '{"text":"pwned"}' }),
				at('/api/auth/logout')
			]).then(() => (document.title = 'sent'));
		</script>`
	);
	await page.waitForFunction(() => document.title === 'sent');
	expect(await state()).toEqual(before);
	expect((await call(ada, 'GET', '/api/me')).user.email).toBe('ada@example.org'); // still logged in

	// The control: the same request from PANIC's own page goes through, so the refusal above
	// was the cross-site check, not a missing cookie or a broken route.
	const own = await ada.newPage();
	await own.goto(panicUrl('/networks'));
	const status = await own.evaluate(
		(path) => fetch(path, { method: 'POST', credentials: 'include' }).then((r) => r.status),
		`/api/networks/${networkId}/join-codes`
	);
	expect(status).toBe(201);
	expect((await state()).code).not.toBe(before.code);
	await page.close();
	await own.close();
});

test('cross-site form posts to the API and to form actions are refused', async () => {
	const before = await state();
	const forms = [
		[`/api/networks/${networkId}/end-event`, 'text/plain'],
		[`/networks/${networkId}/settings?/delete`, 'application/x-www-form-urlencoded'],
		['/logout', 'application/x-www-form-urlencoded']
	];
	for (const [action, enctype] of forms) {
		const page = await openEvil(
			`/form-${encodeURIComponent(action)}`,
			`<form method="POST" action="${panicUrl(action)}" enctype="${enctype}"><input name="x" value="1"></form>
			<script>document.forms[0].submit()</script>`
		);
		await page.waitForURL((url) => url.port === new URL(session.server.url).port);
		expect(await page.textContent('body'), action).toMatch(/another site|Cross-site/);
		await page.close();
	}
	expect(await state()).toEqual(before);
});

test('a WebSocket to sync from the other port is refused at the upgrade', async () => {
	const page = await openEvil(
		'/socket',
		`<script>
			const ws = new WebSocket(${JSON.stringify(session.server.url.replace('http', 'ws'))} + '/sync/${networkId}');
			ws.onopen = () => (document.title = 'open');
			ws.onclose = () => (document.title = document.title === 'open' ? 'open' : 'refused');
		</script>`
	);
	await page.waitForFunction(() => document.title !== 'loading');
	expect(await page.title()).toBe('refused');
	await page.close();
});

test('pages cannot be framed by another origin; the kiosk page can, by the one KIOSK_FRAME_ANCESTORS names', async () => {
	const page = await openEvil(
		'/frames',
		`<iframe name="networks" src="${panicUrl('/networks')}"></iframe>
		<iframe name="login" src="${panicUrl('/login')}"></iframe>
		<iframe name="kiosk" src="${panicUrl(kioskPath)}"></iframe>`
	);
	const kiosk = page.frame({ name: 'kiosk' })!;
	await kiosk.locator('[data-testid=display-screen]').waitFor({ timeout: 15_000 });
	for (const name of ['networks', 'login']) {
		const frame = page.frame({ name })!;
		await expect.poll(() => frame.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
		expect(await frame.locator('html[data-hydrated]').count(), name).toBe(0);
	}
	await page.close();
});
