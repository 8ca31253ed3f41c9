import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { startServer } from '../helpers/server';
import { loopGraph } from '../helpers/graphs';

/**
 * Live availability on screen (issue 12): with the dummy platform's check saying `dummy/upper`
 * is gone (test-only, PANIC_DUMMY_UNAVAILABLE), the palette greys it with the reason, its node on
 * the canvas says it is unavailable and why, and the run controls say a start would be refused.
 * SCREENSHOT_DIR=… keeps screenshots at three window sizes, for looking at the layout.
 */
const REASON = 'the dummy provider retired upper';
const session = browserSession(() =>
	startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_DUMMY_UNAVAILABLE: `dummy/upper:${REASON}` } })
);
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

const url = (p: string) => `${session.server.url}${p}`;
const SIZES = [
	{ width: 1440, height: 900 },
	{ width: 1920, height: 1080 },
	{ width: 360, height: 740 }
];

async function shoot(ctx: BrowserContext, name: string, pagePath: string, prepare?: (page: import('playwright-core').Page) => Promise<void>, fullPage = false) {
	const dir = process.env.SCREENSHOT_DIR;
	if (!dir) return;
	for (const size of SIZES) {
		const page = await ctx.newPage();
		await page.setViewportSize(size);
		await page.goto(url(pagePath));
		await prepare?.(page);
		await page.screenshot({ path: path.join(dir, `${name}-${size.width}x${size.height}.png`), fullPage });
		await page.close();
	}
}

test('the palette greys an unavailable model with its reason, and its node shows the unavailable state', async () => {
	const ada = await person('ada-avail@example.org');
	await call(ada, 'POST', '/api/me/availability/check', { platform: 'dummy' });
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Avail loop' });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, loopGraph('dummy/echo', 'dummy/upper'));

	const page = await ada.newPage();
	await page.goto(url(`/networks/${id}`));
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();

	const item = page.locator('[data-testid=palette-item][data-model-id="dummy/upper"]');
	expect(await item.getAttribute('data-availability')).toBe('unavailable');
	expect(await item.getAttribute('title')).toBe(`Not available: ${REASON}`);
	expect(await item.getByTestId('palette-unavailable').textContent()).toBe(`Not available: ${REASON}`);
	expect(Number(await item.evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(1);
	expect(await page.locator('[data-testid=palette-item][data-model-id="dummy/echo"]').getAttribute('data-availability')).toBe('available');

	const node = page.locator('[data-testid=model-node][data-model-id="dummy/upper"]');
	await node.waitFor();
	expect(await node.getAttribute('data-availability')).toBe('unavailable');
	const badge = node.getByTestId('node-unavailable');
	expect(await badge.getAttribute('aria-label')).toBe(`Not available: ${REASON}`);
	expect(await badge.isVisible()).toBe(true);
	expect(await node.getByTestId('node-unavailable-reason').textContent()).toBe(REASON);

	// Before anyone presses start: the status line and the start button say what would be refused.
	const expected = `Dummy upper (dummy/upper) is not available: ${REASON}.`;
	expect(await page.getByTestId('availability-status').textContent()).toContain(expected);
	await page.getByTestId('run-prompt').fill('hello');
	expect(await page.getByTestId('run-start').isDisabled()).toBe(true);
	expect(await page.getByTestId('run-start').getAttribute('title')).toBe(expected);

	await shoot(ada, 'network', `/networks/${id}`, async (p) => {
		await p.locator('[data-testid=sync-status][data-status=connected]').waitFor();
		if ((await p.getByTestId('palette-toggle').getAttribute('aria-expanded')) === 'false') await p.getByTestId('palette-toggle').click();
		await p.getByTestId('palette-search').fill('dummy');
	});
	await shoot(ada, 'models', '/models');
	await shoot(ada, 'models-dummy', '/models?platform=dummy', undefined, true);
});
