import { describe, expect, it } from 'vitest';
import { caption } from './caption';
import { paint } from './paint';
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

	it('names at most five regions, biggest first, and groups identical ones', async () => {
		// Paint stops at five objects, so the red circle is never drawn.
		const painted = await paint.run(text('two small pink dots, a large blue square, a yellow ring, a green stripe, a red circle'), {});
		expect(textOf(await caption.run(painted, {}))).toBe(
			'a large blue square, a yellow ring, two small pink circles and a green stripe on a white background'
		);
		// 36 equal squares in three colours: only five are mentioned, ties going to the first palette colour.
		const colours = [[40, 80, 220, 255], [40, 160, 60, 255], [220, 38, 38, 255]];
		const grid = drawnPng(240, 240, (x, y) => (x % 40 < 30 && y % 40 < 30 ? colours[(Math.floor(x / 40) + Math.floor(y / 40)) % 3] : WHITE));
		expect(await captionOf(grid)).toBe('five small red squares on a white background');
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
	const prompts = [
		'a dream of the sea at dawn',
		'red circle',
		'the quick brown fox jumps over the lazy dog',
		' ',
		'the',
		'zxqv',
		'sun moon stars',
		'white square on a white background',
		'two small blue rings and a large green triangle on a black background',
		'Once upon a time, in a kingdom by the sea, there lived a princess who collected stones of every colour: ' +
			'crimson, azure, gold. Every evening she arranged them in circles and lines on the sand, waiting for the tide ' +
			'to take them back, and every morning she began again with whatever the water had left her.'
	];

	it.each(prompts)('settles for %j', async (prompt) => {
		const { texts, settledAt, cycleLength } = await iterateLoop(paint, caption, prompt);
		console.info(`paint→caption ${JSON.stringify(prompt.slice(0, 40))}: settled after ${settledAt} step(s), cycle ${cycleLength}: ${texts.at(-1)}`);
		expect(settledAt).toBeDefined();
		expect(settledAt).toBeLessThanOrEqual(10);
		expect(cycleLength).toBeLessThanOrEqual(3);
		// The settled caption is in paint's own vocabulary and ends with a background.
		expect(texts.at(-1)).toMatch(/ background$/);
	});

	it('settles from a picture paint did not make (a noisy gradient)', async () => {
		let seed = 7;
		const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 40);
		const photo = drawnPng(320, 240, (x, y) => [(x * 255) / 320, (y * 255) / 240, 120 + noise(), 255]);
		const first = await captionOf(photo);
		const { settledAt } = await iterateLoop(paint, caption, first);
		expect(settledAt).toBeLessThanOrEqual(10);
	});
});
