import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import type { TestServer } from '../helpers/server';

/**
 * The canvas while a run goes on: output cards in their picture's shape and steady when
 * nothing changes, edges that go around cards, tap-to-add into free space on a phone, and
 * the run panel's prompt, state line, "Stop here" and stop-on-fixed-point toggle.
 */
const session = browserSession();
const { person, call } = session;
let server: TestServer;

beforeAll(async () => {
	await session.setup();
	({ server } = session);
});
afterAll(() => session.teardown());

type Node = { id: string; modelId: string; x: number; y: number };

async function network(ctx: BrowserContext, name: string, nodes: Node[], loop: Array<[string, string]>, settings: Record<string, unknown> = {}): Promise<string> {
	const { id } = await call(ctx, 'POST', '/api/networks', { name });
	// Short pacing so the loop goes round several times within the test.
	await call(ctx, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 150 }, ...settings } });
	await call(ctx, 'PUT', `/api/networks/${id}/graph`, {
		nodes,
		edges: loop.map(([source, target], i) => ({ id: `e${i}`, source, target })),
		startNodeId: nodes[0].id
	});
	return id;
}

const paintCaption = (): Node[] => [
	{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
	{ id: 'caption', modelId: 'local/caption', x: 420, y: 0 }
];

async function openNetwork(ctx: BrowserContext, id: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${server.url}/networks/${id}`);
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id]').first().waitFor();
	return page;
}

const cardOf = (page: Page, nodeId: string) => page.locator(`.svelte-flow__node[data-id=${nodeId}] [data-testid=card]`);

test('an image card takes the picture’s shape, with no bars', async () => {
	const ctx = await person('ada@example.org', { width: 1440, height: 900 });
	const id = await network(ctx, 'Shapes', paintCaption(), [['paint', 'caption'], ['caption', 'paint']]);
	const page = await openNetwork(ctx, id);
	const { runId } = await call(ctx, 'POST', `/api/networks/${id}/runs`, { input: 'a lighthouse in fog' });
	await cardOf(page, 'paint').waitFor({ timeout: 15_000 });
	// Stopped, so the card holds still while it is measured.
	await call(ctx, 'POST', `/api/runs/${runId}/stop`);
	await page.locator('[data-testid=run-status][data-status=stopped]').waitFor();
	const img = cardOf(page, 'paint').locator('img');
	await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), { timeout: 15_000 }).toBe(true);
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
	const shape = await cardOf(page, 'paint').evaluate((card) => {
		const el = card.querySelector('img')!;
		const box = el.getBoundingClientRect();
		const frame = card.getBoundingClientRect();
		return { natural: el.naturalWidth / el.naturalHeight, shown: box.width / box.height, box, frame, fit: getComputedStyle(el).objectFit };
	});
	expect(Math.abs(shape.shown / shape.natural - 1)).toBeLessThan(0.02);
	// The card is the picture: no band of card around it on any side.
	for (const side of ['left', 'right', 'top', 'bottom'] as const) expect(Math.abs(shape.box[side] - shape.frame[side])).toBeLessThan(1.5);
	// And the picture is not boxed inside its own element either (object-fit bars).
	expect(['fill', 'cover']).toContain(shape.fit);
	await ctx.close();
});

test('an unchanged output keeps its card: no new element, no arrival flash', async () => {
	const ctx = await person('bo@example.org', { width: 1440, height: 900 });
	const id = await network(ctx, 'Steady', paintCaption(), [['paint', 'caption'], ['caption', 'paint']]);
	const page = await openNetwork(ctx, id);
	await call(ctx, 'POST', `/api/networks/${id}/runs`, { input: 'a dream of the sea at dawn' });
	// At a fixed point every caption repeats the one before.
	await page.locator('[data-testid=loop-finding][data-kind=fixed_point]').waitFor({ timeout: 20_000 });
	const card = cardOf(page, 'caption');
	const before = Number(await card.getAttribute('data-seq'));
	const text = await card.textContent();
	await card.evaluate((el) => ((el as HTMLElement & { keep?: boolean }).keep = true));
	await expect.poll(async () => Number(await card.getAttribute('data-seq')), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 4);
	const after = await card.evaluate((el) => ({ kept: (el as HTMLElement & { keep?: boolean }).keep === true, animating: el.getAnimations().length }));
	expect(after).toEqual({ kept: true, animating: 0 });
	expect((await card.textContent())!.replace(/#\d+/, '')).toBe(text!.replace(/#\d+/, ''));
	await call(ctx, 'POST', `/api/runs/${await page.getByTestId('run-status').getAttribute('data-run-id')}/stop`);
	await ctx.close();
});

test('no edge runs across an output card', async () => {
	const ctx = await person('cy@example.org', { width: 1440, height: 900 });
	// A three-model loop whose way back runs past the cards: from Caption down to Associate, and up to Paint.
	const id = await network(
		ctx,
		'Three',
		[...paintCaption(), { id: 'assoc', modelId: 'local/associate', x: 200, y: 380 }],
		[['paint', 'caption'], ['caption', 'assoc'], ['assoc', 'paint']]
	);
	const page = await openNetwork(ctx, id);
	const { runId } = await call(ctx, 'POST', `/api/networks/${id}/runs`, { input: 'a lighthouse in fog' });
	for (const node of ['paint', 'caption', 'assoc']) await cardOf(page, node).waitFor({ timeout: 20_000 });
	await expect.poll(() => cardOf(page, 'paint').locator('img').evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
	await call(ctx, 'POST', `/api/runs/${runId}/stop`);
	await page.locator('[data-testid=run-status][data-status=stopped]').waitFor();
	// Edges are redrawn from the measured cards on the next frames.
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

	const crossings = await page.evaluate(() => {
		const cards = [...document.querySelectorAll('[data-testid=card]')].map((c) => c.getBoundingClientRect());
		const found: string[] = [];
		for (const path of document.querySelectorAll<SVGPathElement>('path.svelte-flow__edge-path')) {
			const ctm = path.getScreenCTM()!;
			const length = path.getTotalLength();
			for (let at = 0; at <= length; at += 3) {
				const p = path.getPointAtLength(at).matrixTransform(ctm);
				const hit = cards.find((r) => p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1);
				if (hit) {
					found.push(`${path.id} at (${Math.round(p.x)}, ${Math.round(p.y)})`);
					break;
				}
			}
		}
		return { found, edges: document.querySelectorAll('path.svelte-flow__edge-path').length, cards: cards.length };
	});
	expect(crossings).toEqual({ found: [], edges: 3, cards: 3 });
	await ctx.close();
});

test('tap-to-add on a phone puts each new node in free space, clear of nodes and their cards', async () => {
	const ctx = await session.browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
	const res = await ctx.request.post(`${server.url}/api/auth/signup`, { data: { email: 'di@example.org', password: 'feedback loops', displayName: 'Di' } });
	expect(res.ok()).toBe(true);
	// Two nodes close together in the middle of the view, one with a card under it.
	const id = await network(ctx, 'Crowded', [{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 }, { id: 'caption', modelId: 'local/caption', x: 250, y: 0 }], [
		['paint', 'caption']
	]);
	const page = await openNetwork(ctx, id);
	await call(ctx, 'POST', `/api/networks/${id}/runs`, { input: 'a lighthouse in fog' });
	await cardOf(page, 'caption').waitFor({ timeout: 20_000 });
	await page.locator('[data-testid=run-status]:not([data-status=running])').waitFor({ timeout: 20_000 });

	await page.getByTestId('palette-toggle').tap();
	for (const model of ['local/associate', 'local/distil', 'local/associate', 'local/mirror']) {
		const before = await page.locator('.svelte-flow__node-model').count();
		await page.locator(`[data-testid=palette-item][data-model-id="${model}"]`).tap();
		await expect.poll(() => page.locator('.svelte-flow__node-model').count()).toBe(before + 1);
	}
	await page.getByTestId('palette-toggle').tap();
	await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

	// Each node's box with its card, as drawn.
	const boxes = await page.locator('.svelte-flow__node-model').evaluateAll((nodes) =>
		nodes.map((n) => {
			const rects = [n, ...n.querySelectorAll('[data-testid=card]')].map((el) => el.getBoundingClientRect());
			return {
				id: (n as HTMLElement).dataset.id,
				left: Math.min(...rects.map((r) => r.left)),
				top: Math.min(...rects.map((r) => r.top)),
				right: Math.max(...rects.map((r) => r.right)),
				bottom: Math.max(...rects.map((r) => r.bottom))
			};
		})
	);
	expect(boxes).toHaveLength(6);
	const overlaps: string[] = [];
	for (const [i, a] of boxes.entries()) {
		for (const b of boxes.slice(i + 1)) {
			if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps.push(`${a.id} / ${b.id}`);
		}
	}
	expect(overlaps).toEqual([]);
	await ctx.close();
});

test('the run panel: the prompt, one line of state, Stop here at a fixed point, and the stop-on-fixed-point toggle', async () => {
	const ctx = await person('ed@example.org', { width: 1440, height: 900 });
	const id = await network(ctx, 'Fixed', paintCaption(), [['paint', 'caption'], ['caption', 'paint']]);
	const page = await openNetwork(ctx, id);
	const line = page.getByTestId('run-state-line');
	expect(await line.textContent()).toBe('No run yet');

	// The example in the prompt box reads as an example: muted and italic, not typed text.
	const prompt = page.getByTestId('run-prompt');
	const look = await prompt.evaluate((el) => {
		const ph = getComputedStyle(el, '::placeholder');
		return { placeholder: (el as HTMLTextAreaElement).placeholder, style: ph.fontStyle, colour: ph.color, text: getComputedStyle(el).color };
	});
	expect(look.placeholder).toMatch(/^e\.g\. /);
	expect(look.style).toBe('italic');
	expect(look.colour).not.toBe(look.text);

	await prompt.fill('a lighthouse in fog');
	await page.getByTestId('run-start').click();
	await expect.poll(() => page.getByTestId('run-current-prompt').textContent()).toBe('a lighthouse in fog');
	await expect.poll(() => line.textContent(), { timeout: 15_000 }).toMatch(/^Running · step \d+( · [\d.]+ s a step)?$/);
	// One line: no wrapping, no word said twice.
	const lines = await line.evaluate((el) => {
		const range = document.createRange();
		range.selectNodeContents(el);
		return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
	});
	expect(lines).toBe(1);
	expect(await line.textContent()).not.toMatch(/\b(\w+)\W+\1\b/i);

	// A fixed point: the panel says so and offers to stop there, in one click.
	await page.locator('[data-testid=run-panel-finding][data-kind=fixed_point]').waitFor({ timeout: 20_000 });
	const runId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
	await page.getByTestId('stop-here').click();
	await page.locator('[data-testid=run-status][data-status=stopped]').waitFor({ timeout: 10_000 });
	expect(await line.textContent()).toMatch(/^Stopped at step \d+$/);
	expect(await call(ctx, 'GET', `/api/runs/${runId}`)).toMatchObject({ status: 'stopped', stopCause: 'stopped' });
	expect(await page.getByTestId('stop-here').count()).toBe(0);
	const meta = page.locator(`[data-testid=run-link][data-run-id="${runId}"] .meta`);
	await expect.poll(() => meta.textContent()).toMatch(/^stopped · /);
	expect(await meta.textContent()).not.toMatch(/stopped · stopped/);

	// Stopping at a fixed point by itself: the toggle writes the network's run setting…
	const toggle = page.getByTestId('run-stop-on-fixed-point');
	await expect.poll(() => toggle.isEnabled()).toBe(true);
	expect(await toggle.isChecked()).toBe(false);
	const saved = page.waitForResponse((r) => r.url().endsWith(`/api/networks/${id}`) && r.request().method() === 'PATCH');
	await toggle.check();
	expect((await saved).ok()).toBe(true);
	expect((await call(ctx, 'GET', `/api/networks/${id}`)).settings.stopOnFixedPoint).toBe(true);
	// …which a reload shows…
	await page.reload();
	await expect.poll(() => page.getByTestId('run-stop-on-fixed-point').isEnabled()).toBe(true);
	expect(await page.getByTestId('run-stop-on-fixed-point').isChecked()).toBe(true);
	// …and the next run follows.
	await page.getByTestId('run-prompt').fill('a dream of the sea at dawn');
	await page.getByTestId('run-start').click();
	await expect.poll(() => page.getByTestId('run-state-line').textContent(), { timeout: 20_000 }).toMatch(/^Stopped at step \d+ — fixed point$/);
	await ctx.close();
});
