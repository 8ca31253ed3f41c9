import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import type { TestServer } from '../helpers/server';

const session = browserSession();
const { person, call } = session;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
});
afterAll(() => session.teardown());

async function openNetwork(ctx: BrowserContext, id: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${server.url}/networks/${id}`);
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=paint]').waitFor();
	return page;
}

/** The card hung under a node on the canvas (inside the node, so it moves with it). */
const cardOf = (page: Page, nodeId: string) => page.locator(`.svelte-flow__node[data-id=${nodeId}] [data-testid=card]`);

test('a run from the panel: both people watch cards arrive, the run page lists it, stop ends it', async () => {
	const [ada, cy] = await Promise.all([person('ada@example.org'), person('cy@example.org', { width: 768, height: 1024 })]);
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Sea loop' });
	const { url } = await call(ada, 'POST', `/api/networks/${id}/invites`, { role: 'viewer' });
	await call(cy, 'POST', `/api/invites/${String(url).split('/').pop()}`);
	// Short pacing so the loop goes round a few times within the test.
	await call(ada, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 150 } } });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, {
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

	const a = await openNetwork(ada, id);
	const c = await openNetwork(cy, id);
	expect(await a.getByTestId('run-status').getAttribute('data-status')).toBe('idle');

	// The viewer watches: status and cards, no controls.
	expect(await c.getByTestId('run-status').count()).toBe(1);
	expect(await c.getByTestId('run-start').count()).toBe(0);
	expect(await c.getByTestId('run-prompt').count()).toBe(0);

	// Start is refused, with a reason, until there is a prompt.
	const start = a.getByTestId('run-start');
	expect(await start.isDisabled()).toBe(true);
	expect(await a.getByTestId('run-start-reason').textContent()).toMatch(/prompt/i);
	await a.getByTestId('run-prompt').fill('a dream of the sea at dawn');
	await start.click();

	// Both see the run going, and cards arriving beside the nodes: an image from Paint, text from Caption.
	for (const page of [a, c]) {
		await page.locator('[data-testid=run-status][data-status=running]').waitFor({ timeout: 15_000 });
		await cardOf(page, 'paint').waitFor({ timeout: 15_000 });
		await cardOf(page, 'caption').waitFor({ timeout: 15_000 });
		expect(await cardOf(page, 'paint').getAttribute('data-kind')).toBe('image');
		expect(await cardOf(page, 'caption').getAttribute('data-kind')).toBe('text');
		await expect.poll(() => cardOf(page, 'paint').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
		expect((await cardOf(page, 'caption').textContent())!.trim().length).toBeGreaterThan(3);
	}
	// The loop goes round: later cards replace earlier ones beside each node.
	await expect.poll(async () => Number(await cardOf(c, 'paint').getAttribute('data-seq')), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
	const runId = (await a.getByTestId('run-status').getAttribute('data-run-id'))!;
	expect(runId).toBeTruthy();

	// Stop: both see it stopped, and the history lists the run with a link to its page.
	await a.getByTestId('run-stop').click();
	for (const page of [a, c]) await page.locator('[data-testid=run-status][data-status=stopped]').waitFor({ timeout: 10_000 });
	expect(await a.getByTestId('run-stop').isDisabled()).toBe(true);
	const link = a.locator(`[data-testid=run-link][data-run-id="${runId}"]`);
	await link.waitFor();
	expect(await link.textContent()).toMatch(/a dream of the sea at dawn/);

	// The run page: every invocation in seq order, outputs rendered by kind, the stop cause.
	await link.click();
	await a.getByTestId('run-page').waitFor();
	expect(await a.getByTestId('run-stop-cause').getAttribute('data-cause')).toBe('stopped');
	const rows = a.getByTestId('invocation');
	expect(await rows.count()).toBeGreaterThanOrEqual(3);
	const seqs = (await rows.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq))));
	expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
	expect(seqs[0]).toBe(1);
	const first = rows.first();
	expect(await first.getAttribute('data-node-id')).toBe('paint');
	expect(await first.getAttribute('data-state')).toBe('completed');
	expect(await first.locator('img').count()).toBe(1);
	expect(await first.textContent()).toMatch(/a dream of the sea at dawn/);
	expect(await a.locator('[data-testid=invocation][data-node-id=caption][data-state=completed]').count()).toBeGreaterThan(0);
	await a.getByTestId('back-to-network').click();
	await a.getByTestId('network-editor').waitFor();
});
