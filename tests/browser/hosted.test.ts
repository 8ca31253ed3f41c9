import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer } from '../helpers/server';
import { startFakeReplicate, type FakeReplicate } from '../fakes/fake-replicate';
import { textToImageSchema } from '../fakes/fake-replicate-schemas';

/**
 * Hosted models in the UI: run settings with a spend budget, the missing-key notice that
 * keeps Start off, and adding a Replicate model by name (against a fake Replicate).
 */
const REPLICATE_KEY = 'r8_fake_browser_key_0001';
let fake: FakeReplicate;

const session = browserSession(async () => {
	fake = await startFakeReplicate({
		keys: [REPLICATE_KEY],
		models: {
			// Not in the curated catalogue, so it can be added by name.
			'someone/dream-painter': {
				description: 'Paints dreams from a sentence.',
				openapiSchema: textToImageSchema('text'),
				run: (_, files) => [files.png()]
			}
		}
	});
	return startServer({ env: { REPLICATE_BASE_URL: fake.baseUrl } });
});
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(async () => {
	await session.teardown();
	await fake?.close();
});

const url = (path: string) => `${session.server.url}${path}`;

async function openNetwork(ctx: BrowserContext, id: string): Promise<Page> {
	const page = await ctx.newPage();
	await page.goto(url(`/networks/${id}`));
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.locator('.svelte-flow__node[data-id=chat]').waitFor();
	return page;
}

test('run settings: a max spend and a fixed delay are saved and the API reports them', async () => {
	const ada = await person('ada-settings@example.org');
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Budgeted loop' });
	const page = await ada.newPage();
	await page.goto(url(`/networks/${id}/settings`));
	await hydrated(page);

	const form = page.getByTestId('run-settings');
	expect(await page.getByTestId('network-spend').getAttribute('data-usd')).toBe('0');
	// Defaults: the slow-down schedule, no budgets.
	expect(await form.locator('input[name=pacing][value=default]').isChecked()).toBe(true);
	expect(await page.getByTestId('max-spend').inputValue()).toBe('');

	await page.getByTestId('pacing-fixed').check();
	await page.getByTestId('pacing-seconds').fill('0.5');
	await page.getByTestId('max-spend').fill('2.5');
	await page.getByTestId('max-invocations').fill('40');
	await page.getByTestId('max-duration').fill('3');
	await page.getByTestId('on-error').selectOption('continue');
	await page.getByTestId('stop-on-fixed-point').check();
	await page.getByTestId('run-settings-save').click();
	await page.getByTestId('run-settings-saved').waitFor();

	const network = await call(ada, 'GET', `/api/networks/${id}`);
	expect(network.settings).toMatchObject({
		pacing: { fixedMs: 500 },
		budgets: { maxSpendUsd: 2.5, maxInvocations: 40, maxDurationSeconds: 180 },
		onError: 'continue',
		stopOnFixedPoint: true
	});

	// A reload shows what was stored; clearing a budget removes the limit.
	await page.reload();
	await hydrated(page);
	expect(await page.getByTestId('max-spend').inputValue()).toBe('2.5');
	expect(await page.getByTestId('pacing-seconds').inputValue()).toBe('0.5');
	await page.getByTestId('max-spend').fill('');
	await page.getByTestId('run-settings-save').click();
	await expect.poll(async () => (await call(ada, 'GET', `/api/networks/${id}`)).settings.budgets.maxSpendUsd).toBeNull();
	expect((await call(ada, 'GET', `/api/networks/${id}`)).settings.budgets.maxInvocations).toBe(40);

	// Out-of-range values are refused in plain words, not saved.
	await page.getByTestId('max-concurrent').evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
	await page.getByTestId('max-concurrent').fill('99');
	await page.getByTestId('run-settings-save').click();
	await page.locator('p.error[role=alert]').waitFor();
	expect((await call(ada, 'GET', `/api/networks/${id}`)).settings.maxConcurrent).toBe(2);
});

test('a hosted model without its key: Start is off with a notice until the owner saves the key', async () => {
	const [owen, eve] = await Promise.all([person('owen@example.org'), person('eve@example.org')]);
	const { id } = await call(owen, 'POST', '/api/networks', { name: 'Chatty loop' });
	const { url: invite } = await call(owen, 'POST', `/api/networks/${id}/invites`, { role: 'editor' });
	await call(eve, 'POST', `/api/invites/${String(invite).split('/').pop()}`);
	await call(owen, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'chat', modelId: 'openai/gpt-6-luna', x: 0, y: 0 },
			{ id: 'echo', modelId: 'local/caption', x: 420, y: 0 }
		],
		edges: [],
		startNodeId: 'chat'
	});
	expect((await call(owen, 'GET', `/api/networks/${id}`)).missingKeys).toEqual(['openai']);

	// The owner is told to add the key, with a link to Account; Start stays off even with a prompt.
	const o = await openNetwork(owen, id);
	const notice = o.getByTestId('missing-keys');
	await notice.waitFor();
	expect(await notice.getAttribute('data-platforms')).toBe('openai');
	expect(await notice.textContent()).toMatch(/OpenAI key/);
	expect(await o.getByTestId('missing-keys-link').getAttribute('href')).toBe('/account');
	await o.getByTestId('run-prompt').fill('hello, loop');
	expect(await o.getByTestId('run-start').isDisabled()).toBe(true);

	// An editor is told to ask the owner (no link: it is not their key).
	const e = await openNetwork(eve, id);
	await e.getByTestId('missing-keys').waitFor();
	expect(await e.getByTestId('missing-keys').textContent()).toMatch(/ask the owner/i);
	expect(await e.getByTestId('missing-keys-link').count()).toBe(0);

	// Marking the local node as start needs no key: the notice goes without a reload.
	await call(owen, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'chat', modelId: 'openai/gpt-6-luna', x: 0, y: 0 },
			{ id: 'echo', modelId: 'local/caption', x: 420, y: 0 }
		],
		edges: [],
		startNodeId: 'echo'
	});
	await o.getByTestId('missing-keys').waitFor({ state: 'detached' });
	await call(owen, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'chat', modelId: 'openai/gpt-6-luna', x: 0, y: 0 },
			{ id: 'echo', modelId: 'local/caption', x: 420, y: 0 }
		],
		edges: [],
		startNodeId: 'chat'
	});
	await o.getByTestId('missing-keys').waitFor();

	// The owner saves a key; after a reload Start is on.
	await call(owen, 'PUT', '/api/me/keys/openai', { key: 'sk-test-browser-0000abcd' });
	await o.reload();
	await o.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await o.locator('.svelte-flow__node[data-id=chat]').waitFor();
	await o.getByTestId('run-prompt').fill('hello, loop');
	await expect.poll(() => o.getByTestId('run-start').isDisabled()).toBe(false);
	expect(await o.getByTestId('missing-keys').count()).toBe(0);
});

test('adding a Replicate model by name on the models page puts it in Your models and the catalogue', async () => {
	const ida = await person('ida@example.org');
	const page = await ida.newPage();
	await page.goto(url('/models'));
	// The lookup is a scripted form: submitted before hydration it would reload the page instead.
	await hydrated(page);

	// Hosted models say which key they need; local ones need none.
	await page.getByTestId('your-models').waitFor();
	await page.getByTestId('my-models-empty').waitFor();
	expect(await page.locator('[data-model-id="openai/gpt-6-luna"] [data-testid=needs-key]').textContent()).toMatch(/needs your OpenAI key/);
	expect(await page.locator('[data-model-id="local/caption"] [data-testid=needs-key]').count()).toBe(0);
	expect(await page.locator('[data-model-id="openai/gpt-6-luna"] [data-testid=model-pricing]').count()).toBe(1);

	// Without a Replicate key, the lookup explains what to do.
	await page.getByTestId('add-model-ref').fill('someone/dream-painter');
	await page.getByTestId('add-model-lookup').click();
	expect(await page.getByTestId('add-model-error').textContent()).toMatch(/Replicate key/);

	await call(ida, 'PUT', '/api/me/keys/replicate', { key: REPLICATE_KEY });
	await page.reload();
	await hydrated(page);
	expect(await page.locator('[data-model-id^="replicate/"] [data-testid=needs-key]').count()).toBe(0);

	// A model Replicate does not have: said in plain words.
	await page.getByTestId('add-model-ref').fill('nobody/nothing-here');
	await page.getByTestId('add-model-lookup').click();
	await expect.poll(() => page.getByTestId('add-model-error').textContent()).toMatch(/no such model/i);

	// Look up the real one: PANIC proposes text → image with the schema's text field.
	await page.getByTestId('add-model-ref').fill('someone/dream-painter');
	await page.getByTestId('add-model-lookup').click();
	const proposal = page.getByTestId('add-model-proposal');
	await proposal.waitFor();
	expect(await proposal.getAttribute('data-proposal-id')).toBe('replicate/someone/dream-painter');
	expect(await page.getByTestId('add-model-error').count()).toBe(0);
	expect(await page.getByTestId('add-model-input').inputValue()).toBe('text');
	expect(await page.getByTestId('add-model-output').inputValue()).toBe('image');
	expect(await page.getByTestId('add-model-field').inputValue()).toBe('text');

	// Correct the name, and add it.
	await page.getByTestId('add-model-name').fill('Dream painter');
	const saved = page.waitForResponse((r) => r.url().endsWith('/api/me/models') && r.request().method() === 'POST');
	await page.getByTestId('add-model-save').click();
	expect((await saved).status()).toBe(201);
	await page.getByTestId('add-model-added').waitFor();
	const mine = page.locator('[data-testid=my-model][data-my-model-id="replicate/someone/dream-painter"]');
	await mine.waitFor();
	expect(await mine.textContent()).toContain('Dream painter');

	const models: Array<{ id: string; name: string; custom?: boolean; input: string; output: string }> = await call(ida, 'GET', '/api/models');
	expect(models.find((m) => m.id === 'replicate/someone/dream-painter')).toMatchObject({ name: 'Dream painter', custom: true, input: 'text', output: 'image' });
	// The spec (input field, output shape) stays on the server.
	expect(JSON.stringify(models)).not.toContain('"replicate":');

	// It is in the canvas palette too.
	const { id } = await call(ida, 'POST', '/api/networks', { name: 'Palette check' });
	const editor = await ida.newPage();
	await editor.goto(url(`/networks/${id}`));
	await editor.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await expect.poll(async () => (await editor.textContent('body')) ?? '').toContain('Dream painter');
	await editor.close();

	// Remove takes it away again.
	await mine.getByTestId('remove-model').click();
	await mine.waitFor({ state: 'detached' });
	await page.getByTestId('my-models-empty').waitFor();
	const after: Array<{ id: string }> = await call(ida, 'GET', '/api/models');
	expect(after.some((m) => m.id === 'replicate/someone/dream-painter')).toBe(false);
});

test('a hosted run shows its spend in the panel and cost per call on the run page; a refused key shows why it failed', async () => {
	const ray = await person('ray@example.org');
	await call(ray, 'PUT', '/api/me/keys/replicate', { key: REPLICATE_KEY });
	const { id } = await call(ray, 'POST', '/api/networks', { name: 'Paid picture' });
	await call(ray, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 0 } } });
	await call(ray, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [{ id: 'chat', modelId: 'replicate/black-forest-labs/flux-schnell', x: 0, y: 0 }],
		edges: [],
		startNodeId: 'chat'
	});
	const page = await openNetwork(ray, id);
	expect(await page.getByTestId('missing-keys').count()).toBe(0);
	await page.getByTestId('run-prompt').fill('a lighthouse');
	await page.getByTestId('run-start').click();
	await page.locator('[data-testid=run-status][data-status=completed], [data-testid=run-status][data-status=stopped]').waitFor({ timeout: 15_000 });
	await expect.poll(() => page.getByTestId('run-spend').textContent(), { timeout: 10_000 }).toMatch(/\$0\.\d+/);
	const runId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;

	const run = await page.context().newPage();
	await run.goto(url(`/runs/${runId}`));
	expect(await run.getByTestId('run-page-spend').textContent()).toMatch(/\$0\.\d+/);
	const inv = run.getByTestId('invocation').first();
	expect(await inv.getByTestId('invocation-cost').textContent()).toMatch(/\$0\.\d+/);
	expect(await inv.getByTestId('invocation-metrics').textContent()).toMatch(/s compute|image/);
	await run.close();

	// Another key, which Replicate refuses: the run fails and says why.
	await call(ray, 'PUT', '/api/me/keys/replicate', { key: 'r8_refused_key_0000000' });
	await page.getByTestId('run-prompt').fill('a lighthouse again');
	await page.getByTestId('run-start').click();
	await expect.poll(() => page.getByTestId('run-failure').textContent(), { timeout: 15_000 }).toMatch(/refused|401/i);
});
