import { describe, expect, it } from 'vitest';
import { canonicalOrder, caption, captionText, sameDescription } from './caption';
import { COLOUR_NAMES, PALETTE } from './colours';
import { seededSequence } from './hash';
import { paint, paintText } from './paint';
import { decodePng } from './png';
import { parseScene } from './scene';
import { SHAPES, SIZES, sceneWeight, type Scene } from './shapes';
import { text, textOf } from './test-fixtures';

async function paintPixels(prompt: string) {
	const out = await paint.run(text(prompt), {});
	if (out.kind !== 'image') throw new Error('paint should return an image');
	return { bytes: out.bytes, image: decodePng(out.bytes, 'test') };
}

function countColour(rgb: Uint8Array, [r, g, b]: readonly number[]): number {
	let count = 0;
	for (let i = 0; i < rgb.length; i += 3) if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) count++;
	return count;
}

describe('parseScene', () => {
	it('honours colour, shape, size, number and background words', () => {
		expect(parseScene('a large red circle, two small blue rings and a stripe of green on a black background')).toEqual({
			background: 'black',
			objects: [
				{ colour: 'red', shape: 'circle', size: 'large' },
				{ colour: 'blue', shape: 'ring', size: 'small' },
				{ colour: 'blue', shape: 'ring', size: 'small' },
				// "stripe" comes before its colour, so it takes a hashed colour; "green" then stands alone.
				expect.objectContaining({ shape: 'stripe', size: 'medium' }),
				expect.objectContaining({ colour: 'green' })
			]
		});
	});

	it('lets known things lend colour and shape, and hashes other words', () => {
		expect(parseScene('the sun')).toEqual({ background: 'white', objects: [{ colour: 'yellow', shape: 'circle', size: 'medium' }] });
		const dream = parseScene('a dream of the sea at dawn');
		expect(dream.objects.length).toBeGreaterThanOrEqual(2);
		expect(dream.objects.map((o) => o.colour)).toEqual(expect.arrayContaining(['blue', 'pink']));
		expect(parseScene('the of and').objects).toEqual([]);
	});

	it('never paints an object in its background colour, and caps objects at five', () => {
		const clash = parseScene('a white square on a white background');
		expect(clash.background).toBe('white');
		expect(clash.objects[0].colour).not.toBe('white');
		expect(parseScene('a white moon').background).toBe('black');
		expect(parseScene('red blue green yellow pink purple teal orange').objects).toHaveLength(5);
	});
});

describe('local/paint', () => {
	it('paints a 256×256 RGB PNG of what the words name', async () => {
		const { bytes, image } = await paintPixels('a large red circle on a blue background');
		expect(bytes[25]).toBe(2); // RGB colour type
		expect([image.width, image.height]).toEqual([256, 256]);
		const red = countColour(image.rgb, PALETTE.red);
		expect(red).toBeGreaterThan(Math.PI * 40 * 40 * 0.97);
		expect(red).toBeLessThan(Math.PI * 40 * 40 * 1.03);
		expect(countColour(image.rgb, PALETTE.blue)).toBe(256 * 256 - red);
	});

	it('is deterministic and different prompts give different pictures', async () => {
		const a = await paintPixels('the quick brown fox jumps over the lazy dog');
		const b = await paintPixels('the quick brown fox jumps over the lazy dog');
		const c = await paintPixels('a slow grey elephant');
		expect(b.bytes).toEqual(a.bytes);
		expect(c.bytes).not.toEqual(a.bytes);
		expect(countColour(a.image.rgb, PALETTE.orange)).toBeGreaterThan(0); // the fox
	});

	it('paints a still life when given a background, and knows how caption will read it', async () => {
		const prompt = 'a large yellow square, a red circle and a small blue triangle on a white background';
		const painting = paintText(prompt);
		// The small blue triangle sits on the red circle and eats its middle.
		expect(painting.arrangement).not.toBe('grid');
		expect(captionText(painting.reading)).toBe('a large yellow square, a red ring and a small blue triangle on a white background');
		const bytes = await paintPixels(prompt);
		expect(Buffer.from((await paintPixels(prompt)).bytes).equals(Buffer.from(bytes.bytes))).toBe(true); // deterministic
		expect(textOf(await caption.run(await paint.run(text(prompt), {}), {}))).toBe(captionText(painting.reading));
		// Without a background the same things are painted apart, exactly as the words say.
		const apart = paintText('a large yellow square, a red circle and a small blue triangle');
		expect(apart.arrangement).toBe('grid');
		expect(sameDescription(apart.reading, parseScene(prompt))).toBe(true);
	});

	it('never hands on a still life that reads as something different but no lighter', async () => {
		const scenes = randomScenes(120);
		let changed = 0;
		for (const scene of scenes) {
			const words = captionText(scene);
			expect(sameDescription(parseScene(words), scene), words).toBe(true); // caption's words read back as the scene
			const { reading } = paintText(words);
			if (sameDescription(reading, scene)) continue;
			changed++;
			expect(reading.background).toBe(scene.background);
			expect(sceneWeight(reading.objects), `${words} → ${captionText(reading)}`).toBeLessThan(sceneWeight(scene.objects));
		}
		// Still lifes do change things more often than not: that is the drift.
		expect(changed).toBeGreaterThan(scenes.length / 3);
		// What paint says caption will see is what caption sees.
		for (const scene of scenes.slice(0, 12)) {
			const words = captionText(scene);
			expect(textOf(await caption.run(await paint.run(text(words), {}), {}))).toBe(captionText(paintText(words).reading));
		}
	});

	it('weighs a scene by its things, their sizes and how solid they are', () => {
		expect(sceneWeight([])).toBe(0);
		expect(sceneWeight(parseScene('a small ring').objects)).toBe(1);
		expect(sceneWeight(parseScene('a large square').objects)).toBe(6);
		expect(sceneWeight(parseScene('five large squares').objects)).toBe(30);
		expect(sceneWeight(parseScene('a circle').objects)).toBeGreaterThan(sceneWeight(parseScene('a triangle').objects));
	});

	it('rejects non-text input and an aborted signal', async () => {
		await expect(paint.run({ kind: 'image', bytes: new Uint8Array(), mime: 'image/png' }, {})).rejects.toThrow(/local\/paint expects text/);
		await expect(paint.run(text('red'), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
	});
});

/** Scenes of one to five random things on a random background, as caption would describe them. */
function randomScenes(count: number): Scene[] {
	const next = seededSequence('random scenes');
	return Array.from({ length: count }, () => {
		const background = COLOUR_NAMES[next() % COLOUR_NAMES.length];
		const others = COLOUR_NAMES.filter((c) => c !== background);
		const objects = Array.from({ length: 1 + (next() % 5) }, () => ({
			colour: others[next() % others.length],
			shape: SHAPES[next() % SHAPES.length],
			size: SIZES[next() % SIZES.length]
		}));
		return { background, objects: canonicalOrder(objects) };
	});
}
