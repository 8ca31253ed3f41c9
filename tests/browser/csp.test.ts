import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { loopGraph } from '../helpers/graphs';
import { startServer } from '../helpers/server';
import { until } from '../helpers/wait';

/**
 * Issue 11, finding 13: every page carries a CSP (scripts from the app itself only) and still
 * works under it in Chromium: no `securitypolicyviolation`, no "Refused to …" in the console,
 * no page error, and the page hydrates (plus what each page needs to be working: the canvas
 * synced, the feed connected, the analysis drawn). Headers: frame-ancestors 'none' except the
 * kiosk and display pages, nosniff and Referrer-Policy: same-origin everywhere.
 */
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1' } }));
const { person, call } = session;
let ada: BrowserContext;
let networkId: string;
let runA: string;
let runB: string;
let joinPath: string;
let kioskPath: string;
let invitePath: string;

async function finishedRun(input: string): Promise<string> {
	const { runId } = await call(ada, 'POST', `/api/networks/${networkId}/runs`, { input });
	await until(`run ${runId} to finish`, async () => (await call(ada, 'GET', `/api/runs/${runId}`)).status !== 'running', 20_000);
	return runId;
}

beforeAll(async () => {
	await session.setup();
	ada = await person('ada@example.org');
	({ id: networkId } = await call(ada, 'POST', '/api/networks', { name: 'Sea loop' }));
	await call(ada, 'PATCH', `/api/networks/${networkId}`, { settings: { pacing: { fixedMs: 30 }, lockoutSeconds: 0, budgets: { maxInvocations: 4 } } });
	await call(ada, 'PUT', `/api/networks/${networkId}/graph`, loopGraph('local/paint', 'local/caption'));
	runA = await finishedRun('a dream of the sea at dawn');
	runB = await finishedRun('a red circle at noon');
	joinPath = new URL((await call(ada, 'POST', `/api/networks/${networkId}/join-codes`)).url).pathname;
	const installation = await call(ada, 'POST', `/api/networks/${networkId}/installations`, {
		name: 'Hall',
		screens: [{ name: 'Wall', kind: 'grid', grid: { rows: 2, cols: 2 } }]
	});
	kioskPath = installation.screens[0].kioskPath;
	invitePath = new URL((await call(ada, 'POST', `/api/networks/${networkId}/invites`, { role: 'viewer' })).url).pathname;
}, 120_000);
afterAll(() => session.teardown());

/** Opens `path` in `ctx`, waits until it works, and returns everything the CSP refused on the way. */
async function visit(ctx: BrowserContext, path: string, ready?: (page: Page) => Promise<unknown>) {
	const page = await ctx.newPage();
	const refused: string[] = [];
	page.on('console', (msg) => {
		if (/Refused to|Content Security Policy/i.test(msg.text())) refused.push(`console: ${msg.text()}`);
	});
	page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			const log = ((window as unknown as { __csp?: string[] }).__csp ??= []);
			log.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
		});
	});
	const response = await page.goto(session.server.url + path);
	expect(response?.status(), path).toBeLessThan(400);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 15_000 });
	await ready?.(page);
	await page.waitForTimeout(300); // late loads (images, sockets, lazy chunks)
	refused.push(...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])));
	const headers = response!.headers();
	await page.close();
	return { refused, headers };
}

function expectHeaders(headers: Record<string, string>, path: string, frameAncestors: string) {
	const csp = headers['content-security-policy'] ?? '';
	expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
	expect(csp, path).not.toMatch(/unsafe-eval/);
	expect(csp.match(/script-src[^;]*/)![0], path).not.toMatch(/unsafe-inline/);
	expect(csp, path).toContain(`frame-ancestors ${frameAncestors}`);
	expect(headers['x-content-type-options'], path).toBe('nosniff');
	expect(headers['referrer-policy'], path).toBe('same-origin');
}

const synced = (page: Page) => page.locator('[data-testid=sync-status][data-status=connected]').waitFor({ timeout: 15_000 });
const feedConnected = (page: Page) => page.locator('[data-testid=display-screen][data-connected=true]').waitFor({ timeout: 15_000 });

test('the CSP refuses an inline script, and this test sees it', async () => {
	const anonymous = await session.browser.newContext();
	const { refused } = await visit(anonymous, '/login', (page) =>
		page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'document.title = "injected"';
			document.body.append(script);
		})
	);
	expect(refused.join('\n')).toMatch(/script-src/);
	await anonymous.close();
});

test('anonymous pages: log in, sign up, an invite, a phone joining, a kiosk screen', async () => {
	const anonymous = await session.browser.newContext();
	const phone = await session.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
	const pages: Array<[BrowserContext, string, ((page: Page) => Promise<unknown>) | undefined, string]> = [
		[anonymous, '/', undefined, "'none'"],
		[anonymous, '/login', (p) => p.getByLabel('Email').waitFor(), "'none'"],
		[anonymous, '/signup', (p) => p.getByLabel('Name others see').waitFor(), "'none'"],
		[anonymous, invitePath, undefined, "'none'"],
		[phone, joinPath, (p) => p.locator('[data-testid=phone-page][data-hydrated]').waitFor(), "'none'"],
		[anonymous, kioskPath, async (p) => {
			await feedConnected(p);
			await p.locator('[data-testid=grid-slot][data-kind=image] img').first().waitFor({ timeout: 15_000 });
		}, "'self'"]
	];
	// Three at a time, as below.
	for (let i = 0; i < pages.length; i += 3) {
		const visits = await Promise.all(pages.slice(i, i + 3).map(([ctx, path, ready]) => visit(ctx, path, ready)));
		for (const [j, { refused, headers }] of visits.entries()) {
			const [, path, , ancestors] = pages[i + j];
			expect(refused, path).toEqual([]);
			expectHeaders(headers, path, ancestors);
		}
	}
	await anonymous.close();
	await phone.close();
}, 120_000);

test('signed-in pages: networks, the canvas with sync, settings, console, projector, displays, runs, models, account', async () => {
	const id = networkId;
	const pages: Array<[string, ((page: Page) => Promise<unknown>) | undefined, string]> = [
		['/networks', (p) => p.getByText('Sea loop').first().waitFor(), "'none'"],
		[`/networks/${id}`, async (p) => {
			await synced(p);
			await p.locator('.svelte-flow__node[data-id=a]').waitFor();
		}, "'none'"],
		[`/networks/${id}/settings`, undefined, "'none'"],
		[`/networks/${id}/console`, undefined, "'none'"],
		[`/networks/${id}/present`, (p) => p.getByTestId('join-qr').locator('svg').waitFor(), "'none'"],
		[`/networks/${id}/display?kind=grid&rows=2&cols=2`, feedConnected, "'self'"],
		[`/networks/${id}/display?kind=single&stride=2&offset=0&showRunning=1`, feedConnected, "'self'"],
		[`/runs/${runA}`, (p) => p.getByTestId('analysis-loading').waitFor({ state: 'detached', timeout: 15_000 }), "'none'"],
		[`/runs/compare?a=${runA}&b=${runB}`, undefined, "'none'"],
		['/runs/import', undefined, "'none'"],
		['/models', (p) => p.locator('[data-model-id]').first().waitFor(), "'none'"],
		['/account', undefined, "'none'"]
	];
	// Three pages at a time: each visit has its own page and listeners, and waiting on loads
	// one by one was most of this file's time.
	for (let i = 0; i < pages.length; i += 3) {
		const visits = await Promise.all(pages.slice(i, i + 3).map(([path, ready]) => visit(ada, path, ready)));
		for (const [j, { refused, headers }] of visits.entries()) {
			const [path, , ancestors] = pages[i + j];
			expect(refused, path).toEqual([]);
			expectHeaders(headers, path, ancestors);
		}
	}
}, 180_000);

test('stored assets, API answers and built scripts carry nosniff and Referrer-Policy; the API a CSP of its own', async () => {
	const run = await call(ada, 'GET', `/api/runs/${runA}`);
	const image = run.invocations.find((i: { output?: { kind: string } }) => i.output?.kind === 'image');
	const assetUrl: string = image.output.url;
	const api = await ada.request.get(`${session.server.url}/api/networks/${networkId}`);
	expect(api.headers()['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
	const page = await ada.newPage();
	const scripts: string[] = [];
	page.on('response', (r) => r.url().includes('/_app/immutable/') && scripts.push(r.url()));
	await page.goto(`${session.server.url}/networks`);
	await hydrated(page);
	const urls = [assetUrl, `/api/networks/${networkId}`, '/api/no/such/route', '/favicon.svg', scripts[0]];
	for (const url of urls) {
		const res = await ada.request.get(new URL(url, session.server.url).toString());
		expect(res.headers()['x-content-type-options'], url).toBe('nosniff');
		expect(res.headers()['referrer-policy'], url).toBe('same-origin');
	}
	await page.close();
});
