import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Issue 14, "Finish": the phone's line after sending follows the prompt; the site header is one
 * row of one height on a phone; error pages lead home; destructive buttons look it; placeholders
 * fit their fields.
 */
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1' } }));
const { call } = session;
let server: TestServer;
let browser: Browser;
let ada: BrowserContext;
let networkId: string;

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1440, height: 900 };

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
	ada = await session.person('ada@example.org');
	({ id: networkId } = await call(ada, 'POST', '/api/networks', { name: 'Sea loop' }));
	await call(ada, 'PATCH', `/api/networks/${networkId}`, { settings: { pacing: { fixedMs: 150 }, lockoutSeconds: 0, maxConcurrent: 1 } });
	await call(ada, 'PUT', `/api/networks/${networkId}/graph`, {
		nodes: [
			{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'caption', modelId: 'local/caption', x: 420, y: 0 }
		],
		edges: [
			{ id: 'e1', source: 'paint', target: 'caption' },
			{ id: 'e2', source: 'caption', target: 'paint' }
		],
		startNodeId: 'paint'
	});
	// Something behind every destructive button: an invite, a member, a saved key.
	const { url } = await call(ada, 'POST', `/api/networks/${networkId}/invites`, { role: 'editor' });
	const bea = await session.person('bea@example.org');
	await call(bea, 'POST', `/api/invites/${String(url).split('/').pop()}`);
	await call(ada, 'PUT', '/api/me/keys/openai', { key: 'sk-test-finish-0000abcd' });
});
afterAll(() => session.teardown());

async function open(ctx: BrowserContext, path: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${server.url}${path}`);
	await hydrated(page);
	return page;
}

test('a phone sees its prompt go from the queue to running, then done, not "Sent!"', async () => {
	const { url } = await call(ada, 'POST', `/api/networks/${networkId}/join-codes`);
	const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
	const page = await phone.newPage();
	await page.goto(url);
	await page.locator('[data-testid=phone-page][data-hydrated]').waitFor();
	await page.getByTestId('prompt-text').fill('a dream of the sea at dawn');
	await page.getByTestId('prompt-send').click();

	const line = page.getByTestId('prompt-sent');
	await line.waitFor();
	expect(await line.textContent()).not.toContain('Sent!');
	// Auto mode on an idle network: the prompt starts the run, and the line says so.
	await page.locator('[data-testid=prompt-sent][data-status=started]').waitFor({ timeout: 15_000 });
	await expect.poll(() => line.textContent(), { timeout: 10_000 }).toContain('Running now');

	await call(ada, 'POST', `/api/runs/${await activeRun()}/stop`);
	await expect.poll(() => line.textContent(), { timeout: 10_000 }).toContain('Done');
	await phone.close();

	// The facilitator rehearsing on the phone page, logged in, follows their prompt just the same
	// (the server answers them with the whole queue, not a list of their own).
	const own = await ada.newPage();
	await own.setViewportSize(PHONE);
	await own.goto(url);
	await own.locator('[data-testid=phone-page][data-hydrated]').waitFor();
	await own.getByTestId('prompt-text').fill('the harbour at night');
	await own.getByTestId('prompt-send').click();
	await expect.poll(() => own.getByTestId('prompt-sent').textContent(), { timeout: 15_000 }).toContain('Running now');
	await call(ada, 'POST', `/api/runs/${await activeRun()}/stop`);
	await own.close();
}, 60_000);

async function activeRun(): Promise<string> {
	const runs = await call(ada, 'GET', `/api/networks/${networkId}/runs`);
	const list: { id: string; status: string }[] = Array.isArray(runs) ? runs : runs.runs;
	return list.find((r) => r.status === 'running' || r.status === 'paused')!.id;
}

/** Every page with the site header, as its owner sees it. */
const headerPages = () => ['/', '/networks', '/models', '/account', `/networks/${networkId}/settings`, `/networks/${networkId}/console`, '/runs/import', '/no-such-page'];

test('the header is one row of one height on every page of a 360 px phone, links in a menu', async () => {
	const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, storageState: await ada.storageState() });
	const heights = new Map<string, number>();
	// All pages at once, each its own page: loads were most of this test's time.
	await Promise.all(headerPages().map(async (path) => {
		const page = await open(phone, path);
		const header = page.getByTestId('site-header');
		const geometry = await header.evaluate((el) => {
			const box = el.getBoundingClientRect();
			const items = [...el.children]
				.map((c) => c.getBoundingClientRect())
				.filter((r) => r.width > 0 && r.height > 0)
				.map((r) => ({ top: r.top, bottom: r.bottom, right: r.right }));
			return { top: box.top, bottom: box.bottom, height: box.height, items, overflows: el.scrollWidth > el.clientWidth };
		});
		heights.set(path, geometry.height);
		// Nothing on the page pushes it wider than the phone (a file field or a long option did).
		expect(await page.evaluate(() => document.scrollingElement!.scrollWidth), path).toBeLessThanOrEqual(PHONE.width);
		expect(geometry.height, path).toBeLessThanOrEqual(64);
		expect(geometry.overflows, path).toBe(false);
		// One row: every item sits inside the header's height, and within the screen.
		for (const item of geometry.items) {
			expect(item.top, path).toBeGreaterThanOrEqual(geometry.top);
			expect(item.bottom, path).toBeLessThanOrEqual(geometry.bottom);
			expect(item.right, path).toBeLessThanOrEqual(PHONE.width);
		}
		await page.close();
	}));
	expect(new Set(heights.values()).size, JSON.stringify([...heights])).toBe(1);

	// The links are in the menu, and a link in it goes where it says.
	const page = await open(phone, '/networks');
	await page.getByTestId('site-menu').locator('summary').click();
	await page.getByTestId('site-menu').getByRole('link', { name: 'Models' }).click();
	await page.waitForURL(`${server.url}/models`);
	expect(await page.getByTestId('site-menu').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
	await phone.close();
}, 90_000);

test('a page that does not exist says so and links home', async () => {
	const page = await ada.newPage();
	const response = await page.goto(`${server.url}/no-such-page`);
	expect(response?.status()).toBe(404);
	const error = page.getByTestId('error-page');
	expect(await error.getAttribute('data-status')).toBe('404');
	expect(await error.locator('h1').textContent()).toMatch(/no page here/i);
	await hydrated(page);
	await error.getByRole('link', { name: /home/i }).click();
	await page.waitForURL(`${server.url}/`);
	await page.close();
});

test('destructive buttons carry the destructive style', async () => {
	const checks: [string, string[]][] = [
		[`/networks/${networkId}/settings`, ['revoke-invite', 'remove-member', 'delete-network']],
		['/account', ['delete-key']],
		[`/networks/${networkId}/console`, ['end-event']]
	];
	await Promise.all(checks.map(async ([path, ids]) => {
		const page = await open(ada, path);
		for (const id of ids) {
			const button = page.getByTestId(id).first();
			const { className, color, border } = await button.evaluate((b) => ({
				className: b.className,
				color: getComputedStyle(b).color,
				border: getComputedStyle(b).borderTopColor
			}));
			expect(className, `${path} ${id}`).toMatch(/\bdanger\b/);
			// --bad, #ff5c5c: red text on a red outline.
			expect(color, `${path} ${id}`).toBe('rgb(255, 92, 92)');
			expect(border, `${path} ${id}`).toBe('rgb(255, 92, 92)');
		}
		await page.close();
	}));
});

test('every visible placeholder fits its field at 360 px and 1440 px', async () => {
	const paths = ['/networks', '/models', '/account', `/networks/${networkId}/settings`, `/networks/${networkId}/console`, `/networks/${networkId}`, '/j'];
	for (const viewport of [PHONE, DESKTOP]) {
		const ctx = await browser.newContext({ viewport, storageState: await ada.storageState() });
		// All pages of one size at once: each is its own page, and loads were most of the time.
		await Promise.all(paths.map(async (path) => {
			const page = await open(ctx, path);
			const cut = await page.evaluate(() => {
				const ctx2d = document.createElement('canvas').getContext('2d')!;
				const out: string[] = [];
				for (const input of document.querySelectorAll<HTMLInputElement>('input[placeholder]')) {
					if (!input.placeholder || !input.checkVisibility()) continue;
					const style = getComputedStyle(input);
					ctx2d.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
					const text = ctx2d.measureText(input.placeholder).width;
					const box = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
					if (text > box) out.push(`"${input.placeholder}" needs ${Math.ceil(text)} px, has ${Math.floor(box)}`);
				}
				return out;
			});
			expect(cut, `${path} at ${viewport.width} px`).toEqual([]);
			await page.close();
		}));
		await ctx.close();
	}
}, 120_000);
