import { describe, expect, it } from 'vitest';
import { caption } from './caption';
import { paint } from './paint';
import { parseScene } from './scene';
import { sceneWeight } from './shapes';
import { drawnPng, iterateLoop, palettePng, text, textOf } from './test-fixtures';

const image = (bytes: Uint8Array) => ({ kind: 'image' as const, bytes, mime: 'image/png' as const });
const captionOf = async (bytes: Uint8Array) => textOf(await caption.run(image(bytes), {}));
const WHITE = [255, 255, 255, 255];

describe('local/caption', () => {
	it('sees a hand-drawn blue square on white', async () => {
		const png = drawnPng(200, 200, (x, y) => (x >= 60 && x < 140 && y >= 50 && y < 130 ? [30, 60, 230, 255] : WHITE));
		expect(await captionOf(png)).toBe('a large blue square on a white background');
	});

	it('tells circles, triangles, stripes and rings apart by geometry', async () => {
		const inCircle = (x: number, y: number, r: number) => (x - 100) ** 2 + (y - 100) ** 2 <= r * r;
		// Sizes: extent over 26% of the shorter side is large, under 18% small.
		const circle = drawnPng(200, 200, (x, y) => (inCircle(x, y, 22) ? [240, 220, 30, 255] : WHITE));
		const ring = drawnPng(200, 200, (x, y) => (inCircle(x, y, 40) && !inCircle(x, y, 25) ? [20, 20, 20, 255] : WHITE));
		const triangle = drawnPng(200, 200, (x, y) => (y >= 40 && y < 85 && Math.abs(x - 100) <= (y - 40) / 2 ? [220, 30, 30, 255] : WHITE));
		const stripe = drawnPng(200, 200, (x, y) => (y >= 90 && y < 96 && x >= 20 && x < 50 ? [40, 170, 60, 255] : WHITE));
		expect(await captionOf(circle)).toBe('a yellow circle on a white background');
		expect(await captionOf(ring)).toBe('a large black ring on a white background');
		expect(await captionOf(triangle)).toBe('a red triangle on a white background');
		expect(await captionOf(stripe)).toBe('a small green stripe on a white background');
	});

	it('reads back every shape, size and colour paint draws', async () => {
		for (const size of ['large', 'medium', 'small']) {
			for (const [colour, shape] of [['red', 'circle'], ['orange', 'square'], ['teal', 'triangle'], ['purple', 'stripe'], ['brown', 'ring']]) {
				const words = `${size === 'medium' ? '' : size + ' '}${colour} ${shape}`;
				const painted = await paint.run(text(`${words} on a grey background`), {});
				const article = /^[aeiou]/.test(words) ? 'an' : 'a';
				expect(textOf(await caption.run(painted, {}))).toBe(`${article} ${words} on a grey background`);
			}
		}
	});

	it('names at most five regions, large ones first, and groups identical ones', async () => {
		// Six patches: a large blue square, a yellow circle, two small pink circles, a green
		// stripe and a tiny red square, the smallest, which is left out.
		const inCircle = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
		const png = drawnPng(256, 256, (x, y) => {
			if (x >= 10 && x < 90 && y >= 10 && y < 90) return [40, 80, 220, 255];
			if (inCircle(x, y, 190, 60, 28)) return [250, 220, 40, 255];
			if (inCircle(x, y, 40, 160, 16) || inCircle(x, y, 100, 160, 16)) return [245, 130, 190, 255];
			if (x >= 150 && x < 210 && y >= 150 && y < 160) return [40, 160, 60, 255];
			if (x >= 200 && x < 212 && y >= 220 && y < 232) return [220, 38, 38, 255];
			return WHITE;
		});
		expect(await captionOf(png)).toBe('a large blue square, a yellow circle, a green stripe and two small pink circles on a white background');
		// 36 equal squares in three colours: only five are mentioned, ties going to the first palette colour.
		const colours = [[40, 80, 220, 255], [40, 160, 60, 255], [220, 38, 38, 255]];
		const grid = drawnPng(240, 240, (x, y) => (x % 40 < 30 && y % 40 < 30 ? colours[(Math.floor(x / 40) + Math.floor(y / 40)) % 3] : WHITE));
		expect(await captionOf(grid)).toBe('five small red squares on a white background');
	});

	it('reads overlapping shapes as the patches they leave', async () => {
		// A small yellow square over the middle of a large blue one leaves a blue frame: a ring.
		const framed = drawnPng(256, 256, (x, y) =>
			x >= 118 && x < 142 && y >= 118 && y < 142 ? [250, 220, 40, 255] : x >= 90 && x < 170 && y >= 90 && y < 170 ? [40, 80, 220, 255] : WHITE
		);
		expect(await captionOf(framed)).toBe('a large blue ring and a small yellow square on a white background');
		// Two medium red squares side by side are one patch: a large red square (paint's word for any box).
		const touching = drawnPng(256, 256, (x, y) => (x >= 40 && x < 136 && y >= 60 && y < 108 ? [220, 38, 38, 255] : WHITE));
		expect(await captionOf(touching)).toBe('a large red square on a white background');
		// A green circle with a quarter covered by an orange square fills too little of its box for a circle.
		const bitten = drawnPng(256, 256, (x, y) =>
			x >= 101 && x < 157 && y >= 101 && y < 157 ? [245, 140, 20, 255] : (x - 100) ** 2 + (y - 100) ** 2 <= 40 * 40 ? [40, 160, 60, 255] : WHITE
		);
		expect(await captionOf(bitten)).toBe('a large green triangle and an orange square on a white background');
	});

	it('describes any PNG: palette, greyscale, transparent, large', async () => {
		expect(await captionOf(palettePng(60, 60, [[250, 250, 250], [240, 140, 20]], (x, y) => +(x > 15 && x < 45 && y > 15 && y < 45)))).toBe(
			'a large orange square on a white background'
		);
		expect(await captionOf(drawnPng(50, 50, () => [128, 128, 128, 255], 0))).toBe('a plain grey background');
		expect(await captionOf(drawnPng(80, 80, (x, y) => (x < 20 && y < 20 ? [40, 80, 220, 255] : [0, 0, 0, 0]), 6))).toBe(
			'a blue square on a white background'
		);
		const big = drawnPng(1200, 900, (x, y) => ((x - 600) ** 2 + (y - 450) ** 2 < 300 ** 2 ? [220, 38, 38, 255] : [20, 20, 20, 255]));
		expect(await captionOf(big)).toBe('a large red circle on a black background');
	});

	it('rejects text and undecodable bytes with a clear message', async () => {
		await expect(caption.run(text('hello'), {})).rejects.toThrow('local/caption expects a PNG image');
		await expect(caption.run(image(new Uint8Array([1, 2, 3])), {})).rejects.toThrow(/local\/caption expects a PNG image/);
	});
});

describe('the paint → caption loop', () => {
	// Varied on purpose: a dreamy prompt, plain shape words, a long sentence, nothing at all,
	// one thing, things on a named background, and a paragraph of more than five things.
	const prompts = [
		'a dream of the sea at dawn',
		'red circle',
		'the quick brown fox jumps over the lazy dog',
		' ',
		'sun moon stars',
		'white square on a white background',
		'two small blue rings and a large green triangle on a black background',
		'a house by the river under a grey sky',
		'fire and snow, blood and milk, the forest at night',
		'a large yellow square, a red circle and a small blue triangle on a white background',
		'three green circles and a purple stripe',
		'an old stone wheel rolling down the mountain road',
		'Once upon a time, in a kingdom by the sea, there lived a princess who collected stones of every colour: ' +
			'crimson, azure, gold. Every evening she arranged them in circles and lines on the sand, waiting for the tide ' +
			'to take them back, and every morning she began again with whatever the water had left her.'
	];

	it('drifts for a few steps, then settles on a fixed point or a short cycle, for every prompt', async () => {
		const rows: string[] = [];
		let drifting = 0;
		for (const prompt of prompts) {
			const { texts, settledAt, cycleLength } = await iterateLoop(paint, caption, prompt, 30);
			rows.push(`${JSON.stringify(prompt.slice(0, 40)).padEnd(44)} ${String(settledAt).padStart(2)} step(s), period ${cycleLength}: ${texts.at(-1)}`);
			expect(settledAt, `no repeat within 30 steps from ${JSON.stringify(prompt)}`).toBeDefined();
			expect(settledAt! + cycleLength!).toBeLessThanOrEqual(30);
			expect(cycleLength).toBeLessThanOrEqual(4);
			// The settled caption is in paint's own vocabulary and ends with a background.
			expect(texts.at(-1)).toMatch(/ background$/);
			if (settledAt! >= 2) drifting++;
		}
		console.info(`paint → caption: steps before the first repeat, and the period\n${rows.join('\n')}`);
		// Drift is the point: most loops must take at least two steps before repeating.
		expect(drifting).toBeGreaterThanOrEqual(Math.ceil(prompts.length / 2));
	});

	it('drifts at least two steps from the README prompt', async () => {
		const { texts, settledAt, cycleLength } = await iterateLoop(paint, caption, 'a dream of the sea at dawn', 30);
		expect(settledAt).toBeGreaterThanOrEqual(2);
		expect(cycleLength).toBeLessThanOrEqual(4);
		expect(new Set(texts).size).toBeGreaterThanOrEqual(3); // the prompt and at least two different captions
	});

	it('only ever gets lighter after the first caption, so it must settle', async () => {
		for (const prompt of prompts) {
			const { texts } = await iterateLoop(paint, caption, prompt, 30);
			for (let i = 1; i + 1 < texts.length; i++) {
				if (texts[i + 1] === texts[i]) continue;
				expect(sceneWeight(parseScene(texts[i + 1]).objects), `${texts[i]} → ${texts[i + 1]}`).toBeLessThan(
					sceneWeight(parseScene(texts[i]).objects)
				);
			}
		}
	});

	it('settles from a picture paint did not make (a noisy gradient)', async () => {
		let seed = 7;
		const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 40);
		const photo = drawnPng(320, 240, (x, y) => [(x * 255) / 320, (y * 255) / 240, 120 + noise(), 255]);
		const first = await captionOf(photo);
		const { settledAt, cycleLength } = await iterateLoop(paint, caption, first, 30);
		expect(settledAt).toBeDefined();
		expect(cycleLength).toBeLessThanOrEqual(4);
	});
});
