import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { expectBackRowReady, expectFindingLegible, measure } from '../helpers/projector-geometry';
import type { TestServer } from '../helpers/server';

/**
 * Issue 14's event rehearsal, as a facilitator and one phone live it: open an example network,
 * put the console on the laptop and the present page on the projector, a phone types the code
 * from the screen at /j and sends a prompt, the run starts, and its run page, opened as the run
 * begins, follows it live to a fixed point. The projector screens are measured once the finding
 * is up: no card overlaps another or leaves the screen, and the finding is legible from the back.
 */
const PROJECTOR = { width: 1920, height: 1080 };
const PHONE = { width: 360, height: 740 };
const PROMPT = 'a green circle at noon';

const session = browserSession();
let server: TestServer;
let browser: Browser;
let ada: BrowserContext;
const pages: Page[] = [];

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
	ada = await session.person('ada@example.org', PROJECTOR);
}, 120_000);
afterAll(() => session.teardown());

async function open(path: string, ready: string): Promise<Page> {
	const page = await ada.newPage();
	pages.push(page);
	await page.goto(`${server.url}${path}`);
	await page.locator(ready).first().waitFor();
	await hydrated(page);
	return page;
}

test('a facilitator rehearses an event with PANIC alone: example, console, projector, a phone by code, a live run page', async () => {
	// One click on the networks page copies the example and opens its canvas.
	const networks = await open('/networks', '[data-testid=examples]');
	await Promise.all([
		networks.waitForURL(/\/networks\/[^/]+$/),
		networks.locator('[data-testid=example][data-key=paint-caption] [data-testid=use-example]').click()
	]);
	const id = decodeURIComponent(new URL(networks.url()).pathname.split('/').pop()!);
	await networks.locator('.svelte-flow__node').first().waitFor();
	// A quick pace for the rehearsal (the console's pacing control has its own tests); prompts start at once.
	await session.call(ada, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 400 }, lockoutSeconds: 0 } });

	const consolePage = await open(`/networks/${id}/console`, '[data-testid=console-page]');
	const present = await open(`/networks/${id}/present`, '[data-testid=present-page]');
	const code = (await present.getByTestId('join-code').getAttribute('data-code'))!;
	expect(code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);

	// The phone types the code as people do: lower case, in two groups, with a dash.
	const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
	const phonePage = await phone.newPage();
	await phonePage.goto(`${server.url}/j`);
	// Typed before hydration, the code could be lost when the form takes over (a loaded CI did).
	await hydrated(phonePage);
	await phonePage.getByLabel('The code on the screen').fill(`${code.slice(0, 5).toLowerCase()} - ${code.slice(5).toLowerCase()}`);
	await Promise.all([phonePage.waitForURL(`**/j/${code}`), phonePage.getByRole('button', { name: 'Join' }).click()]);
	await phonePage.locator('[data-testid=phone-page][data-hydrated]').waitFor();
	await phonePage.getByTestId('prompt-text').fill(PROMPT);
	await phonePage.getByTestId('prompt-send').click();

	// The prompt starts the run: the console says so, with the prompt.
	await consolePage.locator('[data-testid=console-run-status][data-status=running]').waitFor({ timeout: 15_000 });
	expect(await consolePage.getByTestId('console-current-prompt').textContent()).toContain(PROMPT);
	const runs = await session.call(ada, 'GET', `/api/networks/${id}/runs`);
	const run = (Array.isArray(runs) ? runs : runs.runs).find((r: { status: string }) => r.status === 'running');
	expect(run).toBeTruthy();

	// The run page, opened as the run begins, follows it without a reload.
	const runPage = await open(`/runs/${run.id}`, '[data-testid=run-page][data-live=true]');
	expect(await runPage.getByTestId('run-title').textContent()).toBe(PROMPT);
	const atOpen = Number(await runPage.getByTestId('run-page-count').textContent());
	await runPage.evaluate(() => ((window as unknown as { rehearsal: boolean }).rehearsal = true));
	await expect.poll(async () => Number(await runPage.getByTestId('run-page-count').textContent()), { timeout: 60_000 }).toBeGreaterThanOrEqual(Math.max(10, atOpen + 3));
	console.log(`[rehearsal] the run page opened at ${atOpen} invocations and followed the run live past 10`);
	await expect.poll(() => runPage.getByTestId('fixed-point').count(), { timeout: 60_000 }).toBe(1);
	expect(await runPage.getByTestId('fixed-point').textContent()).toMatch(/Fixed point of period 1 reached at step \d+/);
	expect(await runPage.evaluate(() => (window as unknown as { rehearsal?: boolean }).rehearsal)).toBe(true);

	// The projector, back-row checks with the finding up: present, then a grid display.
	await present.getByTestId('loop-finding').waitFor({ timeout: 30_000 });
	await expect.poll(() => present.getByTestId('present-card').count()).toBeGreaterThanOrEqual(2);
	await expect.poll(() => present.evaluate(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0))).toBe(true);
	const stage = await measure(present, '[data-testid=present-card]');
	expectBackRowReady(stage, 'present 1920×1080');
	expectFindingLegible(stage, 'present 1920×1080');
	const grid = await open(`/networks/${id}/display?kind=grid&rows=2&cols=3`, '[data-testid=grid-slot][data-kind=image]');
	await expect.poll(() => grid.evaluate(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0))).toBe(true);
	expectBackRowReady(await measure(grid, '[data-testid=grid-slot]'), 'grid 1920×1080');

	// The facilitator ends it from the console in one click (unless the run stopped by itself).
	const stopHere = consolePage.getByTestId('console-stop-here');
	if ((await session.call(ada, 'GET', `/api/runs/${run.id}`)).status === 'running') {
		await stopHere.click();
	}
	await runPage.locator('[data-testid=run-page][data-live=false]').waitFor({ timeout: 15_000 });
	await phone.close();
	await Promise.all(pages.map((p) => p.close()));
}, 180_000);
