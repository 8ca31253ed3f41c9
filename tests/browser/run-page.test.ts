import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer } from '../helpers/server';
import { until } from '../helpers/wait';

/**
 * The run page as a live view: opened as a run of built-in models starts, it follows the run
 * without a reload (invocations, pause and resume, the fixed point), names nodes, and keeps
 * the invocation list one page long however long the run.
 */
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1' } }));
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

// paint ↔ caption settles on a repeated caption (a fixed point) within a few dozen steps.
const paintCaption = {
	nodes: [
		{ id: 'n1', modelId: 'local/paint', x: 0, y: 0, label: 'Painter' },
		{ id: 'n2', modelId: 'local/caption', x: 420, y: 0 }
	],
	edges: [
		{ id: 'e1', source: 'n1', target: 'n2' },
		{ id: 'e2', source: 'n2', target: 'n1' }
	],
	startNodeId: 'n1'
};

async function network(ctx: BrowserContext, name: string, settings: object): Promise<string> {
	const { id } = await call(ctx, 'POST', '/api/networks', { name });
	await call(ctx, 'PATCH', `/api/networks/${id}`, { settings });
	await call(ctx, 'PUT', `/api/networks/${id}/graph`, paintCaption);
	return id;
}

const count = async (page: Page) => Number(await page.getByTestId('run-page-count').textContent());
const status = (page: Page) => page.getByTestId('run-page-status').getAttribute('data-status');

let ada: BrowserContext;

test('opened as the run starts, the page follows it live: steps, pause and resume, the fixed point, the end', async () => {
	ada = await person('ada@example.org', { width: 1440, height: 900 });
	// Paced so the page is open long before ten steps; the run goes on past its fixed point.
	const id = await network(ada, 'Live loop', { pacing: { fixedMs: 300 }, stopOnFixedPoint: false, budgets: { maxInvocations: 400 } });
	const { runId } = await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a red circle on a blue sea' });
	const page = await ada.newPage();
	await page.goto(`${session.server.url}/runs/${runId}`);
	// A mark that a reload would wipe: everything below happens in this one document.
	await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
	await page.locator('[data-testid=run-page][data-live=true]').waitFor();

	// The prompt is the title; nodes go by their names (a label, else the model's name).
	expect(await page.getByTestId('run-title').textContent()).toBe('a red circle on a blue sea');
	expect(await status(page)).toBe('running');
	// Under load the page can open late, already ten steps in: what matters is that it grows
	// past what it showed at open, without a reload, to at least ten.
	const atOpen = await count(page);
	await expect.poll(() => count(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(Math.max(10, atOpen + 1));
	await expect.poll(() => page.locator('[data-testid=invocation]').count()).toBeGreaterThanOrEqual(10);
	const names = new Set(await page.getByTestId('invocation-node').allTextContents());
	expect([...names].sort()).toEqual(['Caption', 'Painter']);
	// The analysis follows too, at its own pace.
	await expect.poll(async () => Number(await page.getByTestId('analysis-panel').getAttribute('data-steps')), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);

	// Pause and resume from elsewhere (the facilitator's console): the page says so.
	await call(ada, 'POST', `/api/runs/${runId}/pause`);
	await expect.poll(() => status(page), { timeout: 10_000 }).toBe('paused');
	await call(ada, 'POST', `/api/runs/${runId}/resume`);
	await expect.poll(() => status(page), { timeout: 10_000 }).toBe('running');

	// The loop reaches its fixed point: the finding appears, in words.
	await expect.poll(() => page.getByTestId('fixed-point').count(), { timeout: 90_000 }).toBe(1);
	expect(await page.getByTestId('fixed-point').textContent()).toMatch(/Fixed point of period 1 reached at step \d+/);

	// Stopped: the page shows the end and stops following.
	await call(ada, 'POST', `/api/runs/${runId}/stop`);
	await expect.poll(() => status(page), { timeout: 10_000 }).toBe('stopped');
	await page.locator('[data-testid=run-page][data-live=false]').waitFor();
	expect(await page.getByTestId('run-stop-cause').getAttribute('data-cause')).toBe('stopped');
	expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
	await page.close();
}, 180_000);

test('a long run: the list is one page with earlier and later; the recurrence plot zooms; compare offers other runs by prompt', async () => {
	const id = await network(ada, 'Long loop', { pacing: { fixedMs: 0 }, budgets: { maxInvocations: 120 } });
	const first = (await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a green square' })).runId as string;
	await until('the first run to end', async () => (await call(ada, 'GET', `/api/runs/${first}?limit=1`)).status !== 'running', 60_000);
	const { runId } = await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a yellow triangle at night' });
	await until('the run to end', async () => (await call(ada, 'GET', `/api/runs/${runId}?limit=1`)).status !== 'running', 60_000);
	const total = (await call(ada, 'GET', `/api/runs/${runId}?limit=1`)).invocationCount as number;
	expect(total).toBeGreaterThan(100);

	const page = await ada.newPage();
	await page.goto(`${session.server.url}/runs/${runId}`);
	// The paging buttons are click handlers: they do nothing until the page has hydrated.
	await hydrated(page);
	const list = page.getByTestId('invocations');
	const range = async () => [Number(await list.getAttribute('data-first')), Number(await list.getAttribute('data-last'))];
	// The newest page, 50 rows, not the whole run.
	expect(await page.getByTestId('invocation').count()).toBe(50);
	expect(await range()).toEqual([total - 49, total]);
	await page.getByTestId('page-earlier').click();
	await expect.poll(range).toEqual([total - 99, total - 50]);
	expect(await page.getByTestId('invocation').count()).toBe(50);
	await page.getByTestId('page-earlier').click();
	await expect.poll(range).toEqual([1, total - 100]);
	expect(await page.getByTestId('page-earlier').isDisabled()).toBe(true);
	await page.getByTestId('page-later').click();
	await expect.poll(range).toEqual([total - 99, total - 50]);
	await page.getByTestId('page-latest').click();
	await expect.poll(range).toEqual([total - 49, total]);

	// The recurrence plot zooms to a range of invocations, and back.
	const canvas = page.locator('[data-testid=recurrence-canvas][data-drawn=true]');
	const all = Number(await canvas.getAttribute('data-size'));
	expect(all).toBeGreaterThan(50);
	await page.getByTestId('zoom-from').fill('10');
	await page.getByTestId('zoom-to').fill('30');
	await page.getByTestId('zoom-apply').click();
	await expect.poll(async () => Number(await canvas.getAttribute('data-size'))).toBeLessThanOrEqual(21);
	expect(Number(await canvas.getAttribute('data-size'))).toBeGreaterThan(5);
	await page.getByTestId('zoom-reset').click();
	await expect.poll(async () => Number(await canvas.getAttribute('data-size'))).toBe(all);
	// Dragging across the plot zooms too (the mouse only reaches what is on the screen).
	await canvas.scrollIntoViewIfNeeded();
	const box = (await canvas.boundingBox())!;
	await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.1);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
	await page.mouse.up();
	await expect.poll(async () => Number(await canvas.getAttribute('data-size'))).toBeLessThan(all * 0.6);

	// Compare with: the network's other run, by its prompt.
	const options = await page.getByTestId('compare-option').allTextContents();
	expect(options).toHaveLength(1);
	expect(options[0]).toMatch(/^a green square — /);
	await page.getByTestId('compare-go').click();
	await page.waitForURL(new RegExp(`/runs/compare\\?a=${runId}&b=${first}`));
	await page.close();
}, 180_000);
