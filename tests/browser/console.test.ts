import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';

/**
 * Starting a workshop from an example network, and the facilitator console: its four areas
 * side by side on a wide screen, usable on a tablet, and "Stop here" once the loop settles.
 */
const session = browserSession();
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

let ada: BrowserContext;
let networkId: string;

test('an example on the networks page becomes a network of yours in one click, and its canvas opens', async () => {
	ada = await person('ada@example.org', { width: 1440, height: 900 });
	const page = await ada.newPage();
	await page.goto(`${session.server.url}/networks`);
	await hydrated(page);
	expect(await page.getByTestId('example').count()).toBeGreaterThanOrEqual(4);
	await page.locator('[data-testid=example][data-key=paint-caption] [data-testid=use-example]').click();
	await page.waitForURL(/\/networks\/[^/]+$/);
	networkId = new URL(page.url()).pathname.split('/').pop()!;
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=paint]').waitFor();
	expect(await page.getByTestId('model-node').count()).toBe(2);
	expect(await page.locator('.svelte-flow__node[data-id=caption]').count()).toBe(1);
	expect(await page.locator('.svelte-flow__node[data-id=paint] [data-testid=start-badge]').count()).toBe(1);

	const network = await call(ada, 'GET', `/api/networks/${networkId}`);
	expect(network).toMatchObject({ name: 'Paint ↔ caption' });
	const graph = await call(ada, 'GET', `/api/networks/${networkId}/graph`);
	expect(graph).toMatchObject({ startNodeId: 'paint', issues: [], hasLoop: true });
	expect(graph.edges).toHaveLength(2);
	const mine = await call(ada, 'GET', '/api/networks');
	expect(mine.find((n: { id: string }) => n.id === networkId)).toMatchObject({ role: 'owner' });
	await page.close();
});

async function openConsole(viewport: { width: number; height: number }): Promise<Page> {
	const page = await ada.newPage();
	await page.setViewportSize(viewport);
	await page.goto(`${session.server.url}/networks/${networkId}/console`);
	await page.getByTestId('console-page').waitFor();
	// Start and the prompt box only work once the console has hydrated.
	await hydrated(page);
	return page;
}

const AREAS = ['run', 'now', 'queue', 'audience'];
const boxes = (page: Page) =>
	page.evaluate(
		(areas) =>
			areas.map((a) => {
				const r = document.querySelector(`[data-testid=console-area-${a}]`)!.getBoundingClientRect();
				return { area: a, top: r.top, left: r.left, right: r.right, width: r.width };
			}),
		AREAS
	);

test('the console shows run, now, queue and audience side by side at 1920 px, and fits a tablet', async () => {
	const wide = await openConsole({ width: 1920, height: 1080 });
	const row = await boxes(wide);
	for (const [i, box] of row.entries()) {
		expect(Math.abs(box.top - row[0].top), `${box.area} shares the first row`).toBeLessThanOrEqual(4);
		expect(box.width).toBeGreaterThan(300);
		if (i > 0) expect(box.left, `${box.area} right of ${row[i - 1].area}, not overlapping`).toBeGreaterThanOrEqual(row[i - 1].right);
	}
	await wide.close();

	// A tablet on its side: two columns, run on the left and the queue on the right.
	const landscape = await openConsole({ width: 1024, height: 768 });
	const [run, now, queue] = await boxes(landscape);
	expect(queue.left).toBeGreaterThanOrEqual(run.right);
	expect(Math.abs(queue.top - run.top)).toBeLessThanOrEqual(4);
	expect(now.top).toBeGreaterThan(run.top);
	await landscape.close();

	// Upright: one column, nothing cut off or scrolled sideways, buttons big enough for fingers.
	const upright = await openConsole({ width: 768, height: 1024 });
	const scroll = await upright.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
	expect(scroll.scroll).toBeLessThanOrEqual(scroll.view);
	for (const box of await boxes(upright)) expect(box.right).toBeLessThanOrEqual(768);
	const start = await upright.getByTestId('console-start').boundingBox();
	expect(start!.height).toBeGreaterThanOrEqual(44);
	await upright.close();
});

test('when the loop reaches a fixed point the console offers "Stop here", which stops the run', async () => {
	// Quick steps, and no stop on a fixed point: the run goes on until someone stops it.
	await call(ada, 'PATCH', `/api/networks/${networkId}`, { settings: { pacing: { fixedMs: 100 }, stopOnFixedPoint: false } });
	const page = await openConsole({ width: 1440, height: 900 });
	expect(await page.getByTestId('console-stop-here').count()).toBe(0);
	await page.getByTestId('console-prompt').fill('a dream of the sea at dawn');
	await page.getByTestId('console-start').click();
	await page.locator('[data-testid=console-run-status][data-status=running]').waitFor({ timeout: 15_000 });
	const runId = await page.getByTestId('console-run-status').getAttribute('data-run-id');

	await page.getByTestId('console-stop-here').waitFor({ timeout: 30_000 });
	expect(await page.getByTestId('console-finding').getAttribute('data-kind')).toBe('fixed_point');
	expect(await page.getByTestId('console-finding').textContent()).toMatch(/Fixed point of period 1 reached at step \d+/);
	await page.getByTestId('console-stop-here').click();
	await page.locator('[data-testid=console-run-status][data-status=stopped]').waitFor({ timeout: 10_000 });
	expect(await page.getByTestId('console-stop-here').count()).toBe(0);
	expect(await call(ada, 'GET', `/api/runs/${runId}?limit=1`)).toMatchObject({ status: 'stopped', stopCause: 'stopped' });
	await page.close();
});
