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

async function invite(owner: BrowserContext, networkId: string, guest: BrowserContext, role: 'editor' | 'viewer') {
	const { url } = await call(owner, 'POST', `/api/networks/${networkId}/invites`, { role });
	await call(guest, 'POST', `/api/invites/${String(url).split('/').pop()}`);
}

async function openEditor(ctx: BrowserContext, networkId: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(`${server.url}/networks/${networkId}`);
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=distil]').waitFor();
	return page;
}

/** Clicking a node (selecting it, for editors) opens its settings panel. */
async function openSettings(page: Page) {
	await page.click('.svelte-flow__node[data-id=distil] .name');
	await page.locator('[data-testid=node-settings][data-node-id=distil]').waitFor();
}

const field = (page: Page, key: string) => page.locator(`[data-testid=node-settings] [data-testid=param-field][data-key=${key}]`);
const paramsOf = async (ctx: BrowserContext, id: string) => (await call(ctx, 'GET', `/api/networks/${id}/graph`)).nodes[0].params;
const PROMPT = 'a dream of the sea at dawn with jazz music over the frozen quay and the yellow boats';

test('an editor changes a local model’s settings; a co-editor sees them live, a run uses them, a viewer only reads', async () => {
	const [ada, bob, cy] = await Promise.all([person('ada@example.org'), person('bob@example.org'), person('cy@example.org')]);
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Distillery' });
	await invite(ada, id, bob, 'editor');
	await invite(ada, id, cy, 'viewer');
	// `style` was set for another model: distil does not take it.
	await call(ada, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'distil', modelId: 'local/distil', x: 0, y: 0, params: { style: 'vivid' } },
			{ id: 'mirror', modelId: 'local/mirror', x: 0, y: 320 }
		],
		edges: [],
		startNodeId: 'distil'
	});

	const a = await openEditor(ada, id);
	const b = await openEditor(bob, id);
	await openSettings(a);
	await openSettings(b);

	// The form is built from distil's ParamSpecs, labels tied to their inputs, defaults shown.
	const panel = a.getByTestId('node-settings');
	expect(await panel.getByTestId('param-field').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key))).toEqual(['keepFraction', 'minWords', 'order']);
	const minWords = a.getByLabel('Fewest words', { exact: true });
	expect(await minWords.getAttribute('type')).toBe('number');
	expect(await minWords.getAttribute('placeholder')).toBe('3');
	expect(await field(a, 'minWords').getByTestId('param-default').textContent()).toBe('default: 3');
	expect(await a.getByLabel('Word order', { exact: true }).evaluate((s: HTMLSelectElement) => [...s.options].map((o) => o.value))).toEqual(['', 'as written', 'most distinctive first']);
	expect(await panel.locator('[data-testid=unused-param][data-key=style]').textContent()).toMatch(/style\s*=\s*vivid/);

	// A choice: written at once.
	await a.getByLabel('Word order', { exact: true }).selectOption('most distinctive first');
	// A number out of range: an inline error tied to the field, and nothing written.
	await minWords.fill('99');
	const error = field(a, 'minWords').getByTestId('param-error');
	expect(await error.textContent()).toBe('Takes a whole number from 1 to 50.');
	expect(await minWords.getAttribute('aria-invalid')).toBe('true');
	expect(await minWords.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
	await minWords.press('Enter');
	await minWords.blur();
	expect(await error.count()).toBe(1);
	await expect.poll(() => paramsOf(ada, id)).toEqual({ style: 'vivid', order: 'most distinctive first' });
	// A good number: the error goes, the value is written.
	await minWords.fill('7');
	expect(await error.count()).toBe(0);
	await minWords.press('Enter');
	await expect.poll(() => paramsOf(ada, id)).toEqual({ style: 'vivid', order: 'most distinctive first', minWords: 7 });

	// Bob's open form follows live.
	await expect.poll(() => b.getByLabel('Word order', { exact: true }).inputValue()).toBe('most distinctive first');
	await expect.poll(() => b.getByLabel('Fewest words', { exact: true }).inputValue()).toBe('7');

	// Bob removes the key distil does not take; Ada's panel loses it.
	await b.getByRole('button', { name: 'Remove setting style' }).click();
	await expect.poll(() => panel.getByTestId('unused-params').count()).toBe(0);
	expect(await paramsOf(ada, id)).toEqual({ order: 'most distinctive first', minWords: 7 });

	// A run uses the settings: seven words, most distinctive first (the defaults give five, as written).
	const { runId } = await call(ada, 'POST', `/api/networks/${id}/runs`, { input: PROMPT });
	await expect
		.poll(async () => (await call(ada, 'GET', `/api/runs/${runId}`)).invocations[0]?.output?.text, { timeout: 15_000 })
		.toBe('frozen yellow jazz dream music quay boats');

	// The viewer opens the same settings and sees the values, read-only.
	const c = await openEditor(cy, id);
	await openSettings(c);
	expect(await c.getByTestId('node-settings-read-only').count()).toBe(1);
	expect(await c.getByLabel('Word order', { exact: true }).inputValue()).toBe('most distinctive first');
	expect(await c.getByLabel('Word order', { exact: true }).isDisabled()).toBe(true);
	expect(await c.getByLabel('Fewest words', { exact: true }).inputValue()).toBe('7');
	expect(await c.getByLabel('Fewest words', { exact: true }).getAttribute('readonly')).not.toBeNull();
	expect(await c.getByTestId('param-reset').count()).toBe(0);
	// …and from the keyboard: Enter on a focused node opens its settings and moves focus there.
	await c.getByTestId('node-settings-close').click();
	expect(await c.getByTestId('node-settings').count()).toBe(0);
	await c.locator('.svelte-flow__node[data-id=distil]').focus();
	await c.keyboard.press('Enter');
	await c.locator('[data-testid=node-settings][data-node-id=distil]').waitFor();
	await expect.poll(() => c.evaluate(() => document.activeElement?.id)).toBe('node-settings-title');

	// Reset to default clears the setting for everyone.
	await field(a, 'minWords').getByTestId('param-reset').click();
	await expect.poll(() => paramsOf(ada, id)).toEqual({ order: 'most distinctive first' });
	await expect.poll(() => c.getByLabel('Fewest words', { exact: true }).inputValue()).toBe('');

	// Escape closes the panel; a model without settings says so (the node menu opens it too).
	await a.getByLabel('Word order', { exact: true }).press('Escape');
	expect(await a.getByTestId('node-settings').count()).toBe(0);
	await a.click('.svelte-flow__node[data-id=mirror] .name', { button: 'right' });
	await a.getByTestId('node-menu-settings').click();
	expect(await a.getByTestId('node-settings-empty').textContent()).toBe('This model has no settings.');
	await expect.poll(() => a.evaluate(() => document.activeElement?.id)).toBe('node-settings-title');
}, 90_000);
