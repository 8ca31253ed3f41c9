import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer } from '../helpers/server';
import { until } from '../helpers/wait';

/**
 * Network history in the browser (issue 17): one person deletes part of a shared network, the
 * other previews the version from before in History and restores it for everyone, and can
 * undo that restore; a run's page shows the wiring it ran on and restores it.
 */
// Automatic versions settle 200 ms after the last edit, so "the version from before" exists at once.
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1', PANIC_HISTORY_SETTLE_MS: '200' } }));
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

interface Version {
	id: string;
	kind: string;
	runId: string | null;
	who: string;
	editors: string[];
}

// A chain of five built-in models: paint → caption → paint → caption → paint.
const CHAIN = {
	nodes: [1, 2, 3, 4, 5].map((i) => ({ id: `m${i}`, modelId: i % 2 ? 'local/paint' : 'local/caption', x: (i - 1) * 300, y: (i % 2) * 120 })),
	edges: [1, 2, 3, 4].map((i) => ({ id: `e${i}`, source: `m${i}`, target: `m${i + 1}` })),
	startNodeId: 'm1'
};

const modelNodes = (page: Page) => page.locator('.svelte-flow__node[data-id^=m]');
const nodeIds = async (page: Page) => (await modelNodes(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).sort();

async function invite(owner: BrowserContext, networkId: string, guest: BrowserContext) {
	const { url } = await call(owner, 'POST', `/api/networks/${networkId}/invites`, { role: 'editor' });
	await call(guest, 'POST', `/api/invites/${String(url).split('/').pop()}`);
}

/** The size a read-only canvas draws a node's name at: its font size times the canvas's zoom. */
const namePx = (scope: Locator) =>
	scope.locator('[data-testid=picture-node-name]').first().evaluate((name) => {
		const viewport = name.closest('.svelte-flow__viewport') as HTMLElement;
		return parseFloat(getComputedStyle(name).fontSize) * new DOMMatrix(getComputedStyle(viewport).transform).a;
	});

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
	a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function openCanvas(ctx: BrowserContext, id: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${session.server.url}/networks/${id}`);
	await page.locator('.svelte-flow__node[data-id=m1]').waitFor();
	return page;
}

test('one deletes three nodes; the other previews the version from before and restores it for both; their undo brings the deletion back', async () => {
	const ada = await person('ada@example.org', { width: 1440, height: 900 });
	const bob = await person('bob@example.org', { width: 1440, height: 900 });
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Shared chain' });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, CHAIN);
	await invite(ada, id, bob);
	// The settled edit is the version from before the deletion.
	const before = await until('the automatic version of the chain', async () =>
		((await call(ada, 'GET', `/api/networks/${id}/versions`)) as Version[]).find((v) => v.kind === 'auto')
	);

	const a = await openCanvas(ada, id);
	const b = await openCanvas(bob, id);
	for (const gone of ['m3', 'm4', 'm5']) {
		await a.locator(`.svelte-flow__node[data-id=${gone}]`).click();
		await a.keyboard.press('Delete');
	}
	await expect.poll(() => nodeIds(b)).toEqual(['m1', 'm2']);

	await b.getByTestId('history-button').click();
	const item = b.locator(`[data-testid=version-item][data-version-id="${before.id}"]`);
	await item.click();
	const preview = b.locator(`[data-testid=version-preview][data-version-id="${before.id}"]`);
	await preview.waitFor();
	// The preview draws the version on a read-only canvas and marks what restoring brings back
	// (the three deleted nodes), with names readable at fit.
	expect(await preview.locator('[data-testid=picture-node]').count()).toBe(5);
	expect(await namePx(preview)).toBeGreaterThanOrEqual(12);
	const back = await preview.locator('[data-testid=picture-node][data-change=back]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')).sort());
	expect(back).toEqual(['m3', 'm4', 'm5']);
	expect(await preview.locator('[data-testid=picture-edge][data-change=back]').count()).toBe(3);

	// Ada's deletions settle into a version that names her.
	const deletion = await until('the version of the deletion', async () =>
		((await call(bob, 'GET', `/api/networks/${id}/versions`)) as Version[]).find((v) => v.kind === 'auto' && v.id !== before.id)
	);
	expect(deletion).toMatchObject({ who: 'Ada', editors: ['Ada'] });

	// On a phone the folded run tab stays clear of the preview's title and date.
	await b.setViewportSize({ width: 360, height: 740 });
	const tab = await b.getByTestId('run-panel-toggle').boundingBox();
	const when = await preview.getByTestId('preview-when').boundingBox();
	const title = await preview.locator('.what strong').boundingBox();
	expect(tab && when && title).toBeTruthy();
	expect(overlaps(tab!, when!)).toBe(false);
	expect(overlaps(tab!, title!)).toBe(false);
	expect(await namePx(preview)).toBeGreaterThanOrEqual(12);
	await b.setViewportSize({ width: 1440, height: 900 });

	const clicked = Date.now();
	await b.getByTestId('restore-version').click();
	const all = ['m1', 'm2', 'm3', 'm4', 'm5'];
	await Promise.all([
		expect.poll(() => nodeIds(b), { timeout: 1000, interval: 20 }).toEqual(all),
		expect.poll(() => nodeIds(a), { timeout: 1000, interval: 20 }).toEqual(all)
	]);
	const within = Date.now() - clicked;
	expect(within).toBeLessThan(1000);
	await preview.waitFor({ state: 'detached' });
	// Stored: the graph the server holds is the version's.
	const stored = await until('the stored graph to be restored', async () => {
		const g = await call(ada, 'GET', `/api/networks/${id}/graph`);
		return g.nodes.length === 5 && g;
	});
	expect(stored.nodes).toEqual(CHAIN.nodes);
	expect(stored.edges).toEqual(CHAIN.edges);
	expect(stored.startNodeId).toBe('m1');
	// The graph it replaced is kept as "before restore".
	expect(((await call(ada, 'GET', `/api/networks/${id}/versions`)) as Version[]).some((v) => v.kind === 'before_restore')).toBe(true);

	// Bob's undo takes his restore back: the deletion is back, for both, and stored.
	await b.locator('.svelte-flow__pane').click({ position: { x: 20, y: 20 } });
	await b.keyboard.press('Control+z');
	await expect.poll(() => nodeIds(b)).toEqual(['m1', 'm2']);
	await expect.poll(() => nodeIds(a)).toEqual(['m1', 'm2']);
	await until('the stored graph to lose the three nodes again', async () => (await call(ada, 'GET', `/api/networks/${id}/graph`)).nodes.length === 2);
	console.log(`[history] restore seen on both canvases ${within} ms after the click`);
	await ada.close();
	await bob.close();
}, 120_000);

test('a run started, the network then edited: the run page shows the run’s own wiring and restores it', async () => {
	const cy = await person('cy@example.org', { width: 1440, height: 900 });
	const { id } = await call(cy, 'POST', '/api/networks', { name: 'Run wiring' });
	const loop = {
		nodes: [
			{ id: 'm1', modelId: 'local/paint', x: 0, y: 0, label: 'Painter' },
			{ id: 'm2', modelId: 'local/caption', x: 400, y: 0 }
		],
		edges: [
			{ id: 'e1', source: 'm1', target: 'm2' },
			{ id: 'e2', source: 'm2', target: 'm1' }
		],
		startNodeId: 'm1'
	};
	await call(cy, 'PUT', `/api/networks/${id}/graph`, loop);
	const { runId } = await call(cy, 'POST', `/api/networks/${id}/runs`, { input: 'a dream of the sea at dawn' });
	await call(cy, 'POST', `/api/runs/${runId}/stop`);
	// Edited after the run: one lone caption node.
	await call(cy, 'PUT', `/api/networks/${id}/graph`, { nodes: [{ id: 'm9', modelId: 'local/caption', x: 0, y: 0 }], edges: [], startNodeId: null });

	const page = await cy.newPage();
	await page.goto(`${session.server.url}/runs/${runId}`);
	const wiring = page.getByTestId('run-wiring');
	await wiring.waitFor();
	const drawn = wiring.locator('[data-testid=picture-node]');
	await drawn.first().waitFor();
	// Restore is a button with a click handler: it does nothing until the page has hydrated.
	await hydrated(page);
	expect(await namePx(wiring)).toBeGreaterThanOrEqual(12);
	expect((await drawn.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')))).sort()).toEqual(['m1', 'm2']);
	expect((await drawn.allTextContents()).map((t) => t.trim())).toEqual(expect.arrayContaining([expect.stringContaining('Painter'), expect.stringContaining('Caption')]));
	expect(await wiring.locator('[data-testid=picture-edge]').count()).toBe(2);
	// The run's version names who started it.
	const runVersion = ((await call(cy, 'GET', `/api/networks/${id}/versions`)) as Version[]).find((v) => v.runId === runId)!;
	expect(runVersion.who).toBe('Cy');

	await page.getByTestId('restore-wiring').click();
	await page.getByTestId('restore-wiring-done').waitFor();
	const stored = await call(cy, 'GET', `/api/networks/${id}/graph`);
	expect(stored.nodes).toEqual(loop.nodes);
	expect(stored.edges).toEqual(loop.edges);

	// "Open this version" opens the canvas with the run's version previewed.
	await page.getByTestId('open-version').click();
	await page.locator(`[data-testid=version-preview][data-version-id="${runVersion.id}"]`).waitFor();
	expect(await page.getByTestId('history-panel').isVisible()).toBe(true);
	await cy.close();
}, 120_000);
