import { afterAll, beforeAll, expect, test } from 'vitest';
import { browserSession } from '../helpers/browser';
import { loopGraph } from '../helpers/graphs';

/**
 * An experiment from the browser (issue 16): from the canvas's Experiments link, a paint ↔
 * caption loop (built-in models, no keys) gets three prompts × 1 run × 6 steps, two runs at
 * once; the form shows the count and a free estimate before Start; the experiment page follows
 * the runs live to done, shows the summary rows with links to each run, and ends in the atlas;
 * the same experiment run again, one run at a time, gives the same atlas.
 */
const session = browserSession();
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

const PROMPTS = ['a red balloon over the sea', 'the quick brown fox', 'a city at night'];

test('three prompts × 1 run × 6 steps of paint ↔ caption, two at once, from the form to the summary', async () => {
	const ada = await person('ada@example.org', { width: 1440, height: 900 });
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Paint and caption' });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, loopGraph('local/paint', 'local/caption'));
	const page = await ada.newPage();
	await page.goto(`${session.server.url}/networks/${id}`);
	// Clicked once the canvas is live (hydrated): CI once clicked during hydration and the navigation never came.
	await page.locator('[data-testid=sync-status][data-status=connected]').waitFor();
	await page.getByTestId('experiments-link').click();
	await page.waitForURL(`**/networks/${id}/experiments`);

	await page.getByTestId('experiment-prompts').fill(`${PROMPTS.join('\n')}\n\n`);
	await expect.poll(() => page.getByTestId('prompt-count').textContent()).toBe('3 / 200');
	await page.getByTestId('experiment-steps').fill('6');
	await page.getByTestId('experiment-concurrency').fill('2');
	await expect.poll(() => page.getByTestId('experiment-totals').textContent()).toMatch(/3 runs × 6 steps = 18 model calls at most, 2 runs at once/);
	// The estimate comes before Start is offered.
	await expect.poll(() => page.getByTestId('experiment-estimate').textContent()).toMatch(/Free: only built-in models/);
	const startButton = page.getByTestId('experiment-start');
	expect(await startButton.isEnabled()).toBe(true);
	await startButton.click();

	await page.waitForURL('**/experiments/*');
	await page.getByTestId('experiment-progress').and(page.locator('[data-status=done]')).waitFor({ timeout: 60_000 });
	expect(await page.getByTestId('experiment-runs-done').textContent()).toBe('3 / 3 runs');
	expect(await page.getByTestId('experiment-concurrency').textContent()).toBe('2 runs at once');
	expect(await page.getByTestId('experiment-steps-done').textContent()).toBe('18 / 18 steps');
	expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');

	const runs = page.getByTestId('experiment-run');
	expect(await runs.count()).toBe(3);
	const cells = (testid: string) => page.getByTestId(testid).allTextContents();
	expect(await cells('experiment-run-link')).toEqual(PROMPTS);
	expect(await cells('experiment-run-status')).toEqual(['done', 'done', 'done']);
	expect(await cells('experiment-run-steps')).toEqual(['6', '6', '6']);
	const summary = page.getByTestId('summary-row');
	await summary.first().waitFor();
	expect(await summary.evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent]))).toEqual(PROMPTS.map((p) => [p, '1']));
	// Each run opens its page.
	const href = await page.getByTestId('experiment-run-link').first().getAttribute('href');
	expect(href).toMatch(/^\/runs\//);
	// It ends in an atlas: per modality, basins that sum to the three runs, each with its steps to reach.
	const atlas = page.getByTestId('atlas-slot').getByTestId('atlas');
	await atlas.waitFor({ timeout: 30_000 });
	const basins = await atlas.getByTestId('atlas-modality').evaluateAll((sections) =>
		sections.map((s) => [s.getAttribute('data-kind'), [...s.querySelectorAll('[data-testid=attractor]')].reduce((sum, a) => sum + Number(a.getAttribute('data-basin')), 0)])
	);
	expect(basins.map(([kind]) => kind).sort()).toEqual(['image', 'text']);
	expect(basins.every(([, sum]) => sum === 3)).toBe(true);
	expect(await atlas.getByTestId('attractor-steps').first().textContent()).toMatch(/after \d+ steps/);

	// The same experiment again (through the API), one run at a time, ends in the same atlas, run ids apart.
	const first = page.url().split('/').pop()!;
	const { id: second } = await call(ada, 'POST', `/api/networks/${id}/experiments`, { prompts: PROMPTS, runs: 1, steps: 6 });
	await expect.poll(async () => (await call(ada, 'GET', `/api/experiments/${second}`)).status, { timeout: 60_000 }).toBe('done');
	const withoutRunIds = (value: unknown): unknown =>
		Array.isArray(value)
			? value.map(withoutRunIds)
			: value && typeof value === 'object'
				? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'runId' && k !== 'runIds').map(([k, v]) => [k, withoutRunIds(v)]))
				: value;
	const [a, b] = await Promise.all([call(ada, 'GET', `/api/experiments/${first}/atlas`), call(ada, 'GET', `/api/experiments/${second}/atlas`)]);
	expect(withoutRunIds(b)).toEqual(withoutRunIds(a));
	// No sideways scrolling of the page or its tables, here and on a phone.
	const fits = () =>
		page.evaluate(() => [document.documentElement, ...document.querySelectorAll('.table-wrap')].every((el) => el.scrollWidth <= el.clientWidth + 1));
	expect(await fits()).toBe(true);
	await page.setViewportSize({ width: 360, height: 740 });
	expect(await fits()).toBe(true);
}, 90_000);
