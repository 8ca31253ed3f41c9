import { describe, expect, it } from 'vitest';
import { PALETTE } from './colours';
import { paint } from './paint';
import { decodePng } from './png';
import { parseScene } from './scene';
import { text } from './test-fixtures';

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

	it('rejects non-text input and an aborted signal', async () => {
		await expect(paint.run({ kind: 'image', bytes: new Uint8Array(), mime: 'image/png' }, {})).rejects.toThrow(/local\/paint expects text/);
		await expect(paint.run(text('red'), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
	});
});
