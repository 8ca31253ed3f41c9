import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

const session = browserSession();
const { person, call } = session;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
});
afterAll(() => session.teardown());

async function invite(owner: BrowserContext, networkId: string, guest: BrowserContext, role: 'editor' | 'viewer') {
	const { url } = await call(owner, 'POST', `/api/networks/${networkId}/invites`, { role });
	await call(guest, 'POST', `/api/invites/${String(url).split('/').pop()}`);
}

/** Opens the editor as this person; the server decides their role from their membership. */
async function openEditor(ctx: BrowserContext, networkId: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${server.url}/networks/${networkId}`);
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=paint]').waitFor();
	return page;
}

const graphOf = (ctx: BrowserContext, id: string) => call(ctx, 'GET', `/api/networks/${id}/graph`);

test('two editors and a viewer share one canvas live', async () => {
	const [ada, bob, cy] = await Promise.all([person('ada@example.org'), person('bob@example.org'), person('cy@example.org', { width: 768, height: 1024 })]);
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Ouroboros' });
	await invite(ada, id, bob, 'editor');
	await invite(ada, id, cy, 'viewer');
	// A graph made through the JSON API, with an image→text edge the canvas must flag.
	await call(ada, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'caption', modelId: 'local/caption', x: 320, y: 0 },
			{ id: 'assoc', modelId: 'local/associate', x: 160, y: 220 }
		],
		edges: [
			{ id: 'e1', source: 'paint', target: 'caption' },
			{ id: 'bad', source: 'paint', target: 'assoc' }
		],
		startNodeId: 'paint'
	});

	const a = await openEditor(ada, id);
	const b = await openEditor(bob, id);
	const c = await openEditor(cy, id);

	// Validation on the canvas and in the status strip.
	expect(await a.locator('.svelte-flow__edge[data-id=bad]').getAttribute('data-invalid')).toBe('true');
	expect(await a.locator('[data-invalid=true] title').textContent()).toMatch(/image output to a text input/);
	const status = a.getByTestId('graph-status');
	expect(await status.getAttribute('data-has-loop')).toBe('false');
	expect(await status.getAttribute('data-start-accepts-text')).toBe('true');
	expect(await a.getByTestId('start-badge').count()).toBe(1);

	// Presence: editors are listed by display name, never email (the sync server keeps viewers
	// out of awareness), and Bob's pointer shows on Ada's canvas over the same node.
	await expect.poll(() => a.getByTestId('presence-list').textContent()).toMatch(/Bob/);
	await expect.poll(() => c.getByTestId('presence-list').textContent()).toMatch(/Ada.*Bob|Bob.*Ada/);
	expect(await c.getByTestId('presence-list').textContent()).not.toMatch(/@example\.org/);
	const capB = (await b.locator('.svelte-flow__node[data-id=caption]').boundingBox())!;
	await b.mouse.move(capB.x + 30, capB.y + 20, { steps: 3 });
	const cursor = a.locator('[data-testid=remote-cursor][data-name="Bob"]');
	await cursor.waitFor();
	const capA = (await a.locator('.svelte-flow__node[data-id=caption]').boundingBox())!;
	await expect.poll(async () => (await cursor.boundingBox())!.x - capA.x).toBeCloseTo(30, -1);

	// Tap-to-connect: the pick shows; picking another output moves it; caption's text feeds Associate.
	await a.click('.svelte-flow__node[data-id=paint] [data-port=out]');
	expect(await a.getByTestId('pending-connection').textContent()).toMatch(/Paint/);
	await a.click('.svelte-flow__node[data-id=caption] [data-port=out]');
	await a.click('.svelte-flow__node[data-id=assoc] [data-port=in]');
	await expect.poll(async () => (await graphOf(ada, id)).edges.length).toBe(3);
	await expect.poll(() => b.locator('.svelte-flow__edge').count()).toBe(3);
	// A mismatch is refused with a reason: associate's text cannot feed caption's image input.
	await a.click('.svelte-flow__node[data-id=assoc] [data-port=out]');
	await a.click('.svelte-flow__node[data-id=caption] [data-port=in]');
	expect(await a.getByTestId('notice').textContent()).toMatch(/text output can't feed Caption/);
	await a.keyboard.press('Escape');

	// Bob adds a model from the palette; Ada undoes her own edit only.
	await b.click('[data-testid=palette-item][data-model-id="local/mirror"]');
	await expect.poll(() => a.locator('[data-testid=model-node][data-model-id="local/mirror"]').count()).toBe(1);
	// At 1280 px undo sits in the toolbar's ⋯ menu (its own key is Ctrl+Z).
	await a.getByTestId('more-button').click();
	await a.getByTestId('menu-undo').click();
	await expect.poll(async () => (await graphOf(ada, id)).edges.length).toBe(2);
	expect((await graphOf(ada, id)).nodes.map((n: { modelId: string }) => n.modelId)).toContain('local/mirror');

	// Ada drags Paint; within a second Bob's canvas and the stored graph show it moved.
	const bobPaint = b.locator('.svelte-flow__node[data-id=paint]');
	const before = (await bobPaint.boundingBox())!;
	const pa = (await a.locator('.svelte-flow__node[data-id=paint]').boundingBox())!;
	await a.mouse.move(pa.x + 40, pa.y + 15);
	await a.mouse.down();
	await a.mouse.move(pa.x + 140, pa.y + 95, { steps: 8 });
	await a.mouse.up();
	await expect.poll(async () => (await bobPaint.boundingBox())!.x - before.x, { timeout: 1000 }).toBeGreaterThan(60);
	await expect.poll(async () => (await graphOf(ada, id)).nodes.find((n: { id: string }) => n.id === 'paint').x).toBeGreaterThan(60);

	// The viewer watches: no palette, no toolbar, nodes do not move.
	expect(await c.getByTestId('view-only-badge').count()).toBe(1);
	expect(await c.getByTestId('palette').count()).toBe(0);
	expect(await c.getByTestId('undo-button').count()).toBe(0);
	const pc = (await c.locator('.svelte-flow__node[data-id=caption]').boundingBox())!;
	await c.mouse.move(pc.x + 40, pc.y + 15);
	await c.mouse.down();
	await c.mouse.move(pc.x + 40, pc.y + 200, { steps: 5 });
	await c.mouse.up();
	await c.keyboard.press('Delete');
	const after = await graphOf(ada, id);
	expect(after.nodes.find((n: { id: string }) => n.id === 'caption')).toMatchObject({ x: 320, y: 0 });
	expect(after.nodes).toHaveLength(4);
	// …but still sees live changes.
	await a.click('.svelte-flow__node[data-id=caption] .name');
	await a.getByTestId('start-button').click();
	await expect.poll(() => c.locator('.svelte-flow__node[data-id=caption] [data-testid=start-badge]').count()).toBe(1);
});

test('the editor survives a history reset of its graph room: fresh doc, same view and selection, edits still sync', async () => {
	// Its own server, with a history threshold low enough for a few graph writes to pass it; the
	// test above keeps the default.
	const own = await startServer({ env: { PANIC_GRAPH_HISTORY_RESET_STRUCTS: '40', PANIC_GRAPH_HISTORY_RESET_QUIET_MS: '200' } });
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	try {
		const api = async (method: string, path: string, data?: unknown) => {
			const res = await ctx.request.fetch(`${own.url}${path}`, { method, data });
			if (res.status() >= 300) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
			return res.json();
		};
		await api('POST', '/api/auth/signup', { email: 'dee@example.org', password: 'feedback loops', displayName: 'Dee' });
		const { id } = await api('POST', '/api/networks', { name: 'Compacted' });
		const graphAt = (x: number) => ({
			nodes: [
				{ id: 'paint', modelId: 'local/paint', x, y: 0 },
				{ id: 'caption', modelId: 'local/caption', x: x + 320, y: 0 }
			],
			edges: [{ id: 'e1', source: 'paint', target: 'caption' }],
			startNodeId: 'paint'
		});
		await api('PUT', `/api/networks/${id}/graph`, graphAt(0));
		const page = await ctx.newPage();
		await page.goto(`${own.url}/networks/${id}`);
		await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
		const caption = page.locator('.svelte-flow__node[data-id=caption]');
		await caption.waitFor();
		await page.locator('.svelte-flow__node[data-id=caption] .name').click();
		await expect.poll(() => caption.getAttribute('class')).toMatch(/\bselected\b/);
		const transform = () => page.locator('.svelte-flow__viewport').getAttribute('style');
		const view = await transform();

		// Each replace writes the whole graph again: 30 of them pile up past the threshold, and
		// the room resets at the quiet moment after the last one (it never cuts a write short).
		for (let x = 10; x <= 300; x += 10) await api('PUT', `/api/networks/${id}/graph`, graphAt(x));
		await page.getByTestId('notice').filter({ hasText: /History compacted/ }).waitFor({ timeout: 20_000 });
		await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
		await expect.poll(() => caption.getAttribute('class')).toMatch(/\bselected\b/);
		expect(await transform()).toBe(view);
		expect(await page.getByTestId('notice').getAttribute('data-tone')).toBe('info');

		// The fresh doc syncs both ways: a model added on the canvas reaches the stored graph.
		await page.click('[data-testid=palette-item][data-model-id="local/mirror"]');
		await expect.poll(async () => (await api('GET', `/api/networks/${id}/graph`)).nodes.length).toBe(3);
	} finally {
		await ctx.close();
		await own.dispose();
	}
}, 120_000);
