import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import type { TestServer } from '../helpers/server';

const session = browserSession();
const { person, call } = session;
let server: TestServer;

beforeAll(async () => {
	await session.setup();
	({ server } = session);
});
afterAll(() => session.teardown());

/**
 * Paint (text→image), Caption (image→text) and Associate (text→text), start at Paint, with
 * Paint→Caption, and Caption→Paint back when `loop` (so a run goes on until stopped).
 */
async function network(owner: BrowserContext, name: string, loop = false): Promise<string> {
	const { id } = await call(owner, 'POST', '/api/networks', { name });
	await call(owner, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 150 } } });
	await call(owner, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'caption', modelId: 'local/caption', x: 380, y: 0 },
			{ id: 'assoc', modelId: 'local/associate', x: 190, y: 260 }
		],
		edges: [{ id: 'e1', source: 'paint', target: 'caption' }, ...(loop ? [{ id: 'e2', source: 'caption', target: 'paint' }] : [])],
		startNodeId: 'paint'
	});
	return id;
}

/** Opens the canvas; collects the console warnings the page prints from then on. */
async function openEditor(ctx: BrowserContext, id: string): Promise<{ page: Page; warnings: string[] }> {
	const page = await ctx.newPage();
	const warnings: string[] = [];
	page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
	await page.goto(`${server.url}/networks/${id}`);
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=paint]').waitFor();
	return { page, warnings };
}

const graphOf = (ctx: BrowserContext, id: string) => call(ctx, 'GET', `/api/networks/${id}/graph`);

test('"+ Note" opens the note for typing; keys typed in fields never reach canvas shortcuts or warn', async () => {
	const ada = await person('ada@notes.example.org');
	const id = await network(ada, 'Notes');
	// Svelte Flow shows a new node, and so lets its note take focus, once a ResizeObserver has
	// measured it: a frame or two here, more on a slow laptop. The page's observers can be told
	// to answer late, to stand in for that laptop.
	await ada.addInitScript(() => {
		const Native = window.ResizeObserver;
		const late = window as unknown as { measureDelayMs?: number };
		window.ResizeObserver = class extends Native {
			constructor(callback: ResizeObserverCallback) {
				super((entries, observer) => (late.measureDelayMs ? setTimeout(() => callback(entries, observer), late.measureDelayMs) : callback(entries, observer)));
			}
		};
	});
	const { page, warnings } = await openEditor(ada, id);

	// Typed at once, while the new note is still being measured: the keys are held and land in
	// the note. Without that, the first words were lost and each space pressed the focused
	// "+ Note" button again. One note, holding the whole sentence.
	await page.evaluate(() => ((window as unknown as { measureDelayMs?: number }).measureDelayMs = 400));
	await page.getByTestId('add-note-button').click();
	await page.keyboard.type('The loop forgets the sea after three turns.');
	await page.evaluate(() => ((window as unknown as { measureDelayMs?: number }).measureDelayMs = 0));
	await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Note text');
	await expect.poll(async () => (await graphOf(ada, id)).notes.map((n: { text: string }) => n.text)).toEqual(['The loop forgets the sea after three turns.']);
	expect(await page.getByTestId('note').count()).toBe(1);

	// A selected node survives Backspace and Delete typed in the note, and the graph's undo
	// does not take the note away while typing in it.
	await page.locator('.svelte-flow__node[data-id=assoc]').click({ position: { x: 20, y: 10 } });
	await expect.poll(() => page.locator('.svelte-flow__node[data-id=assoc].selected').count()).toBe(1);
	await page.getByTestId('note').locator('textarea').click();
	await page.keyboard.press('End');
	await page.keyboard.press('Backspace');
	await page.keyboard.press('Delete');
	await page.keyboard.press('Control+z');
	await expect.poll(async () => (await graphOf(ada, id)).notes.length).toBe(1);
	expect((await graphOf(ada, id)).nodes.map((n: { id: string }) => n.id).sort()).toEqual(['assoc', 'caption', 'paint']);

	// Typing never makes the console talk (Svelte Flow's key handler warned on every key).
	expect(warnings.filter((w) => /svelte-put|shortcut/.test(w))).toEqual([]);
	await page.close();
});

test('at 1280×800 the toolbar is one line, and the canvas stays put when a run starts', async () => {
	const [ada, bob] = await Promise.all([person('ada@bar.example.org'), person('bob@bar.example.org')]);
	const id = await network(ada, 'A rather long name for a loop of paint and words', true);
	const { url } = await call(ada, 'POST', `/api/networks/${id}/invites`, { role: 'editor' });
	await call(bob, 'POST', `/api/invites/${String(url).split('/').pop()}`);
	const { page } = await openEditor(ada, id);
	const other = await openEditor(bob, id);
	await expect.poll(() => page.getByTestId('presence-user').count()).toBe(2);

	const buttons = page.getByTestId('toolbar').locator(':scope > button, :scope > * > button:not([role=menuitem])');
	const boxes = (await buttons.evaluateAll((els) => els.map((e) => e.getBoundingClientRect())).then((rs) => rs.filter((r) => r.width > 0)));
	expect(boxes.length).toBeGreaterThanOrEqual(4);
	for (const b of boxes) expect(b.top).toBeCloseTo(boxes[0].top, 0);
	const toolbar = (await page.getByTestId('toolbar').boundingBox())!;
	expect(toolbar.height).toBeLessThanOrEqual(Math.max(...boxes.map((b) => b.height)) + 1);
	expect(toolbar.x + toolbar.width).toBeLessThanOrEqual(1280);

	// The actions that folded away are one tap into ⋯ and work from there.
	await page.getByTestId('more-button').click();
	await page.getByTestId('more-menu').waitFor();
	expect(await page.getByTestId('menu-undo').isVisible()).toBe(true);
	await page.keyboard.press('Escape');
	await expect.poll(() => page.getByTestId('more-menu').count()).toBe(0);

	const canvasTop = async () => (await page.getByTestId('editor-canvas').boundingBox())!.y;
	const before = await canvasTop();
	await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a dream of the sea at dawn, told twice and then forgotten' });
	await page.locator('[data-testid=run-status][data-status=running]').waitFor({ timeout: 15_000 });
	await expect.poll(async () => Number(await page.getByTestId('run-status').getAttribute('data-step')), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
	expect(await canvasTop()).toBe(before);
	// The bar kept one row: every pill sits inside it.
	const bar = (await page.locator('header.bar').boundingBox())!;
	const pill = (await page.getByTestId('run-status').boundingBox())!;
	expect(pill.y).toBeGreaterThanOrEqual(bar.y);
	expect(pill.y + pill.height).toBeLessThanOrEqual(bar.y + bar.height);
	await call(ada, 'POST', `/api/runs/${await page.getByTestId('run-status').getAttribute('data-run-id')}/stop`);
	await page.locator('[data-testid=run-status][data-status=stopped]').waitFor({ timeout: 10_000 });
	expect(await canvasTop()).toBe(before);
	await Promise.all([page.close(), other.page.close()]);
}, 90_000);

test('dragging a connection lights up the ports it can end on and dims the rest', async () => {
	const ada = await person('ada@ports.example.org');
	const id = await network(ada, 'Ports');
	const { page } = await openEditor(ada, id);
	const port = (node: string, side: 'in' | 'out') => page.locator(`.svelte-flow__node[data-id=${node}] [data-port=${side}]`);

	// From Caption's text output: Paint and Associate take text, Caption itself takes images.
	const from = (await port('caption', 'out').boundingBox())!;
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.mouse.move(from.x + 60, from.y + 140, { steps: 6 });
	await expect.poll(() => port('paint', 'in').getAttribute('class')).toMatch(/\baccepts\b/);
	expect(await port('assoc', 'in').getAttribute('class')).toMatch(/\baccepts\b/);
	expect(await port('caption', 'in').getAttribute('class')).toMatch(/\brefuses\b/);
	// Outputs play no part in a connection that starts at an output.
	expect(await port('paint', 'out').getAttribute('class')).not.toMatch(/\b(accepts|refuses)\b/);
	const dimmed = await port('caption', 'in').evaluate((el) => Number(getComputedStyle(el).opacity));
	expect(dimmed).toBeLessThan(0.6);

	// Dropped on the pane: nothing connects and the ports go back to normal.
	await page.mouse.up();
	await expect.poll(() => port('caption', 'in').getAttribute('class')).not.toMatch(/\brefuses\b/);
	expect(await port('paint', 'in').getAttribute('class')).not.toMatch(/\baccepts\b/);
	expect((await graphOf(ada, id)).edges).toHaveLength(1);

	// From Associate's text input backwards: outputs giving text light up, Paint's image dims.
	const back = (await port('assoc', 'in').boundingBox())!;
	await page.mouse.move(back.x + back.width / 2, back.y + back.height / 2);
	await page.mouse.down();
	await page.mouse.move(back.x - 60, back.y - 40, { steps: 6 });
	await expect.poll(() => port('caption', 'out').getAttribute('class')).toMatch(/\baccepts\b/);
	expect(await port('paint', 'out').getAttribute('class')).toMatch(/\brefuses\b/);
	await page.mouse.up();
	await page.close();
});

test('Share makes an invite link, Copy puts it on the clipboard, and it lets a second person in', async () => {
	const ada = await session.browser.newContext({ viewport: { width: 1280, height: 800 } });
	await ada.request.post(`${server.url}/api/auth/signup`, { data: { email: 'ada@share.example.org', password: 'feedback loops', displayName: 'Ada' } });
	await ada.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
	const [bob, cy] = await Promise.all([person('bob@share.example.org'), person('cy@share.example.org')]);
	const id = await network(ada, 'Shared loop');
	const { page } = await openEditor(ada, id);

	await page.getByTestId('share-button').click();
	const dialog = page.getByTestId('share-dialog');
	await dialog.waitFor();
	await page.getByTestId('share-role-viewer').check();
	await page.getByTestId('share-make').click();
	const link = page.getByTestId('share-link');
	await link.waitFor();
	const url = await link.inputValue();
	expect(url).toMatch(new RegExp(`^${server.url}/invite/\\S+$`));
	await page.getByTestId('share-copy').click();
	await expect.poll(() => page.getByTestId('share-copy').textContent()).toMatch(/Copied/);
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

	// Bob opens the copied link, joins, and watches the canvas as a viewer.
	const b = await bob.newPage();
	await b.goto(url);
	await b.getByRole('button', { name: 'Join the network' }).click();
	await b.waitForURL(`${server.url}/networks/${id}`);
	await b.getByTestId('view-only-badge').waitFor();
	await b.locator('.svelte-flow__node[data-id=paint]').waitFor();

	// An editor sees Share too, but only the owner makes links: it says so instead.
	const { url: editorUrl } = await call(ada, 'POST', `/api/networks/${id}/invites`, { role: 'editor' });
	await call(cy, 'POST', `/api/invites/${String(editorUrl).split('/').pop()}`);
	const c = (await openEditor(cy, id)).page;
	await c.getByTestId('share-button').click();
	await c.getByTestId('share-not-owner').waitFor();
	expect(await c.getByTestId('share-make').count()).toBe(0);
	await Promise.all([page.close(), b.close(), c.close(), ada.close()]);
});
