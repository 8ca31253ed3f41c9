import { afterAll, beforeAll, expect, test } from 'vitest';
import { browserSession } from '../helpers/browser';
import { loopGraph } from '../helpers/graphs';

/**
 * An experiment from the browser (issue 16): from the canvas's Experiments link, a paint ↔
 * caption loop (built-in models, no keys) gets three prompts × 1 run × 6 steps; the form shows
 * the count and a free estimate before Start; the experiment page follows the runs live to
 * done, and shows the summary rows with links to each run.
 */
const session = browserSession();
const { person, call } = session;

beforeAll(() => session.setup());
afterAll(() => session.teardown());

const PROMPTS = ['a red balloon over the sea', 'the quick brown fox', 'a city at night'];

test('three prompts × 1 run × 6 steps of paint ↔ caption, from the form to the summary', async () => {
	const ada = await person('ada@example.org', { width: 1440, height: 900 });
	const { id } = await call(ada, 'POST', '/api/networks', { name: 'Paint and caption' });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, loopGraph('local/paint', 'local/caption'));
	const page = await ada.newPage();
	await page.goto(`${session.server.url}/networks/${id}`);
	await page.getByTestId('experiments-link').click();
	await page.waitForURL(`**/networks/${id}/experiments`);

	await page.getByTestId('experiment-prompts').fill(`${PROMPTS.join('\n')}\n\n`);
	await expect.poll(() => page.getByTestId('prompt-count').textContent()).toBe('3 / 200');
	await page.getByTestId('experiment-steps').fill('6');
	await expect.poll(() => page.getByTestId('experiment-totals').textContent()).toMatch(/3 runs × 6 steps = 18 model calls/);
	// The estimate comes before Start is offered.
	await expect.poll(() => page.getByTestId('experiment-estimate').textContent()).toMatch(/Free: only built-in models/);
	const startButton = page.getByTestId('experiment-start');
	expect(await startButton.isEnabled()).toBe(true);
	await startButton.click();

	await page.waitForURL('**/experiments/*');
	await page.getByTestId('experiment-progress').and(page.locator('[data-status=done]')).waitFor({ timeout: 60_000 });
	expect(await page.getByTestId('experiment-runs-done').textContent()).toBe('3 / 3 runs');
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
	// The atlas has its place on the page.
	expect(await page.getByTestId('atlas-slot').locator('a').getAttribute('href')).toMatch(/\/experiments\/.+\/atlas$/);
	// No sideways scrolling of the page or its tables, here and on a phone.
	const fits = () =>
		page.evaluate(() => [document.documentElement, ...document.querySelectorAll('.table-wrap')].every((el) => el.scrollWidth <= el.clientWidth + 1));
	expect(await fits()).toBe(true);
	await page.setViewportSize({ width: 360, height: 740 });
	expect(await fits()).toBe(true);
}, 90_000);
