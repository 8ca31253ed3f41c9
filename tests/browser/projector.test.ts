import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';

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

interface Box { left: number; top: number; right: number; bottom: number }
interface Geometry {
	viewport: { width: number; height: number };
	cards: Box[];
	images: { box: Box; painted: Box; card: Box; objectFit: string; naturalRatio: number; paintedRatio: number; complete: boolean }[];
	texts: { scrollHeight: number; clientHeight: number; scrollWidth: number; clientWidth: number; box: Box; card: Box; fontSize: number; length: number }[];
	prompt?: { box: Box; fontSize: number };
	finding?: { box: Box; fontSize: number };
}

/** Measures the page in the browser: the cards (by selector), their pictures and texts, prompt and finding. */
function measure(page: Page, cardSelector: string): Promise<Geometry> {
	return page.evaluate((selector) => {
		const box = (r: DOMRect) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
		const cards = [...document.querySelectorAll<HTMLElement>(selector)];
		/** Where the picture itself is painted inside an <img> box, by its object-fit. */
		const painted = (img: HTMLImageElement) => {
			const r = img.getBoundingClientRect();
			const fit = getComputedStyle(img).objectFit;
			const nr = img.naturalWidth / img.naturalHeight;
			if (fit === 'fill' || !img.naturalWidth) return box(r);
			const scale = fit === 'cover' ? Math.max(r.width / img.naturalWidth, r.height / img.naturalHeight) : Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight, fit === 'scale-down' ? 1 : Infinity);
			const w = img.naturalWidth * scale;
			const h = w / nr;
			// object-position defaults to the centre, which the projector pages keep.
			const left = r.left + (r.width - w) / 2;
			const top = r.top + (r.height - h) / 2;
			return { left, top, right: left + w, bottom: top + h };
		};
		const styleOf = (el: Element | null) => (el ? { box: box(el.getBoundingClientRect()), fontSize: parseFloat(getComputedStyle(el).fontSize) } : undefined);
		return {
			viewport: { width: window.innerWidth, height: window.innerHeight },
			cards: cards.map((c) => box(c.getBoundingClientRect())),
			images: cards.flatMap((c) =>
				[...c.querySelectorAll('img')].map((img) => {
					const p = painted(img);
					return {
						box: box(img.getBoundingClientRect()),
						painted: p,
						card: box(c.getBoundingClientRect()),
						objectFit: getComputedStyle(img).objectFit,
						naturalRatio: img.naturalWidth / img.naturalHeight,
						paintedRatio: (p.right - p.left) / (p.bottom - p.top),
						complete: img.complete && img.naturalWidth > 0
					};
				})
			),
			texts: cards.flatMap((c) =>
				[...c.querySelectorAll<HTMLElement>('p')].map((p) => ({
					scrollHeight: p.scrollHeight,
					clientHeight: p.clientHeight,
					scrollWidth: p.scrollWidth,
					clientWidth: p.clientWidth,
					box: box(p.getBoundingClientRect()),
					card: box(c.getBoundingClientRect()),
					fontSize: parseFloat(getComputedStyle(p).fontSize),
					length: (p.textContent ?? '').length
				}))
			),
			prompt: styleOf(document.querySelector('[data-testid=present-prompt]')),
			finding: styleOf(document.querySelector('[data-testid=loop-finding]'))
		};
	}, cardSelector);
}

const EPS = 0.5;
const inside = (inner: Box, outer: Box) =>
	inner.left >= outer.left - EPS && inner.top >= outer.top - EPS && inner.right <= outer.right + EPS && inner.bottom <= outer.bottom + EPS;
const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));

/** The checks every projector screen passes, whatever its layout. */
function expectBackRowReady(g: Geometry, where: string) {
	const screen = { left: 0, top: 0, right: g.viewport.width, bottom: g.viewport.height };
	for (const [i, card] of g.cards.entries()) {
		expect(inside(card, screen), `${where}: card ${i} ${JSON.stringify(card)} leaves the screen`).toBe(true);
		for (const other of g.cards.slice(i + 1)) expect(overlap(card, other), `${where}: cards overlap`).toBeLessThanOrEqual(1);
	}
	for (const img of g.images) {
		expect(img.complete, `${where}: a picture did not load`).toBe(true);
		expect(img.objectFit, `${where}: a picture is cropped`).not.toBe('cover');
		expect(Math.abs(img.paintedRatio / img.naturalRatio - 1), `${where}: a picture is stretched`).toBeLessThan(0.02);
		expect(inside(img.painted, img.card), `${where}: a picture ${JSON.stringify(img.painted)} is cut by its card ${JSON.stringify(img.card)}`).toBe(true);
		expect(inside(img.box, img.card), `${where}: a picture's box leaves its card`).toBe(true);
	}
	for (const t of g.texts) {
		expect(t.scrollHeight, `${where}: a text of ${t.length} characters overflows its slot (font ${t.fontSize}px)`).toBeLessThanOrEqual(t.clientHeight + 1);
		expect(t.scrollWidth, `${where}: a text is wider than its slot`).toBeLessThanOrEqual(t.clientWidth + 1);
		expect(inside(t.box, t.card), `${where}: a text ${JSON.stringify(t.box)} leaves its card ${JSON.stringify(t.card)}`).toBe(true);
	}
}

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
		const screen = { left: 0, top: 0, right: size.width, bottom: size.height };
		expect(g.prompt && inside(g.prompt.box, screen), 'the prompt is on screen').toBe(true);
		expect(g.finding && inside(g.finding.box, screen), 'the finding is on screen').toBe(true);
		expect(g.finding!.fontSize, `finding ${g.finding!.fontSize}px under a ${g.prompt!.fontSize}px prompt`).toBeGreaterThanOrEqual(g.prompt!.fontSize / 2);
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
