import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';
import { expectBackRowReady, expectFindingLegible, measure } from '../helpers/projector-geometry';

/**
 * Issue 14, "Projector screens for the back row": the present page and the grid and single
 * display screens, at the two projector sizes, with a feed of pictures and long texts and a
 * fixed point found. Geometry from getBoundingClientRect: cards never overlap and never
 * leave the screen, pictures are whole (not cropped or stretched), texts fit their slots,
 * and the finding is set at least half as large as the prompt.
 */
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1' } }));
const { person, call } = session;
let server: TestServer;
let ada: BrowserContext;
let networkId: string;

const SIZES = [
	{ width: 1920, height: 1080 },
	{ width: 1280, height: 720 }
];

/**
 * A long prompt in paint's vocabulary: upper-cases itself round a self-loop (a fixed point
 * from the second step, so long texts in the feed) and fans out to paint (pictures).
 */
const PROMPT =
	'a large blue square beside a small red circle above a yellow triangle, with a green stripe and a black ring ' +
	'under a wide orange sky, then a purple square and a white triangle drifting over a grey background while the tide ' +
	'comes in and the gulls circle overhead calling to each other until evening, when the lamps along the harbour wall ' +
	'come on one by one and the boats drift home across the dark water';

beforeAll(async () => {
	await session.setup();
	({ server } = session);
	ada = await person('ada@example.org', SIZES[0]);
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Projector wall' });
	networkId = id;
	await call(ada, 'PATCH', `/api/networks/${id}`, {
		settings: { pacing: { fixedMs: 50 }, lockoutSeconds: 0, maxConcurrent: 1, budgets: { maxInvocations: 9 } }
	});
	await call(ada, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'shout', modelId: 'dummy/upper', x: 0, y: 0 },
			{ id: 'paint', modelId: 'local/paint', x: 420, y: 0 }
		],
		edges: [
			{ id: 'e1', source: 'shout', target: 'shout' },
			{ id: 'e2', source: 'shout', target: 'paint' }
		],
		startNodeId: 'shout'
	});
	await call(ada, 'POST', `/api/networks/${id}/runs`, { input: PROMPT });
	// The run ends on its budget; by then the feed holds both kinds and the fixed point.
	await until('the run to end', async () => {
		const runs = await call(ada, 'GET', `/api/networks/${id}/runs`);
		const list: { status: string }[] = Array.isArray(runs) ? runs : runs.runs;
		return list.length > 0 && list.every((r) => !['running', 'queued', 'starting', 'pending', 'paused'].includes(r.status));
	}, 30_000);
}, 120_000);
afterAll(() => session.teardown());

async function open(path: string, size: { width: number; height: number }, ready: string): Promise<Page> {
	const page = await ada.newPage();
	await page.setViewportSize(size);
	await page.goto(`${server.url}${path}`);
	// Attached, not visible: a card pushed off the screen is what the checks below report.
	await page.locator(ready).first().waitFor({ state: 'attached', timeout: 15_000 });
	// Every picture decoded, so its natural size is known.
	await expect
		.poll(() => page.evaluate(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)), { timeout: 10_000 })
		.toBe(true);
	return page;
}

for (const size of SIZES) {
	const at = `${size.width}×${size.height}`;

	test(`present at ${at}: cards apart and on screen, pictures whole, texts fit, the finding legible`, async () => {
		const page = await open(`/networks/${networkId}/present`, size, '[data-testid=present-card]');
		await page.getByTestId('loop-finding').waitFor({ state: 'attached', timeout: 10_000 });
		await expect.poll(() => page.getByTestId('present-card').count()).toBeGreaterThanOrEqual(2);
		const g = await measure(page, '[data-testid=present-card]');
		expect(g.images.length, 'the feed has pictures').toBeGreaterThan(0);
		expect(g.texts.some((t) => t.length > 300), 'the feed has long texts').toBe(true);
		expectBackRowReady(g, `present ${at}`);
		expectFindingLegible(g, `present ${at}`);
		await page.close();
	});

	test(`grid display at ${at}: tiles apart and on screen, pictures whole, texts fit`, async () => {
		const page = await open(`/networks/${networkId}/display?kind=grid&rows=3&cols=3`, size, '[data-testid=grid-slot][data-kind=text]');
		await expect.poll(() => page.locator('[data-testid=grid-slot][data-seq]:not([data-seq=""])').count()).toBe(9);
		const g = await measure(page, '[data-testid=grid-slot]');
		expect(g.images.length).toBeGreaterThan(0);
		expect(g.texts.some((t) => t.length > 300)).toBe(true);
		expectBackRowReady(g, `grid ${at}`);
		await page.close();
	});

	for (const offset of [0, 1]) {
		test(`single display at ${at} (offset ${offset}): the card whole and on screen`, async () => {
			const page = await open(`/networks/${networkId}/display?kind=single&stride=2&offset=${offset}`, size, '[data-testid=display-single]:not([data-seq=""])');
			const g = await measure(page, '[data-testid=display-single]');
			expect(g.images.length + g.texts.length).toBe(1);
			expectBackRowReady(g, `single ${at}`);
			await page.close();
		});
	}
}
