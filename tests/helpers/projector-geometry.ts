import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/**
 * Geometry of a projector screen (present, grid, single), measured in the browser with
 * getBoundingClientRect, and the checks every such screen passes: cards apart and on the
 * screen, pictures whole, texts inside their slots, the finding at least half the prompt's size.
 */
export interface Box { left: number; top: number; right: number; bottom: number }
export interface Geometry {
	viewport: { width: number; height: number };
	cards: Box[];
	images: { box: Box; painted: Box; card: Box; objectFit: string; naturalRatio: number; paintedRatio: number; complete: boolean }[];
	texts: { scrollHeight: number; clientHeight: number; scrollWidth: number; clientWidth: number; box: Box; card: Box; fontSize: number; length: number }[];
	prompt?: { box: Box; fontSize: number };
	finding?: { box: Box; fontSize: number };
}

/** Measures the page in the browser: the cards (by selector), their pictures and texts, prompt and finding. */
export function measure(page: Page, cardSelector: string): Promise<Geometry> {
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
export const inside = (inner: Box, outer: Box) =>
	inner.left >= outer.left - EPS && inner.top >= outer.top - EPS && inner.right <= outer.right + EPS && inner.bottom <= outer.bottom + EPS;
const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));

/** The checks every projector screen passes, whatever its layout. */
export function expectBackRowReady(g: Geometry, where: string) {
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


/** The present page's prompt and finding: both on screen, the finding at least half the prompt's size. */
export function expectFindingLegible(g: Geometry, where: string) {
	const screen = { left: 0, top: 0, right: g.viewport.width, bottom: g.viewport.height };
	expect(g.prompt && inside(g.prompt.box, screen), `${where}: the prompt is on screen`).toBe(true);
	expect(g.finding && inside(g.finding.box, screen), `${where}: the finding is on screen`).toBe(true);
	expect(g.finding!.fontSize, `${where}: finding ${g.finding!.fontSize}px under a ${g.prompt!.fontSize}px prompt`).toBeGreaterThanOrEqual(g.prompt!.fontSize / 2);
}
