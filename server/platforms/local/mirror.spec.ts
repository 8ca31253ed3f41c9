import { describe, expect, it } from 'vitest';
import { mirror } from './mirror';
import { paint } from './paint';
import { decodePng } from './png';
import { drawnPng, text } from './test-fixtures';

describe('local/mirror', () => {
	it('flips left to right, and twice gives back the same bytes', async () => {
		const png = drawnPng(3, 1, (x) => [x * 100, 0, 0, 255]);
		const once = await mirror.run({ kind: 'image', bytes: png, mime: 'image/png' }, {});
		if (once.kind !== 'image') throw new Error('expected image');
		expect([...decodePng(once.bytes, 'test').rgb]).toEqual([200, 0, 0, 100, 0, 0, 0, 0, 0]);

		const painted = await paint.run(text('a large red triangle and a blue stripe'), {});
		const twice = await mirror.run(await mirror.run(painted, {}), {});
		expect(twice).toEqual(painted);
	});

	it('rejects text', async () => {
		await expect(mirror.run(text('hi'), {})).rejects.toThrow('local/mirror expects a PNG image');
	});
});
