import { describe, expect, it } from 'vitest';
import { associate, associateText } from './associate';
import { distil, distilText } from './distil';
import type { LocalModel } from './model';
import { text, textOf } from './test-fixtures';

/** Runs a text model on its own output until a text repeats. */
async function orbit(model: LocalModel, start: string, maxSteps = 30, params: Record<string, unknown> = {}) {
	const seen = new Map<string, number>();
	let current = start;
	for (let step = 0; step <= maxSteps; step++) {
		if (seen.has(current)) return { settledAt: seen.get(current)!, cycleLength: step - seen.get(current)!, last: current };
		seen.set(current, step);
		current = textOf(await model.run(text(current), params));
	}
	throw new Error(`no repeat within ${maxSteps} steps from ${JSON.stringify(start)}`);
}

describe('local/distil', () => {
	it('keeps the most distinctive half of the content words, in order', () => {
		// Six content words (quick brown fox jumps lazy dog); rare letters tip the balance.
		expect(distilText('The quick brown fox jumps over the lazy dog')).toBe('quick brown jumps');
		expect(distilText('quick brown jumps')).toBe('quick brown jumps');
		expect(distilText('Alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel!')).toBe('alpha bravo charlie foxtrot'); // alpha ties golf; earlier wins
	});

	it('shrinks any text to a fixed point of at most three words', async () => {
		const paragraph =
			'Once upon a time, in a kingdom by the sea, there lived a princess who collected stones of every colour: crimson, azure, gold.';
		for (const prompt of [paragraph, 'a dream of the sea at dawn', 'the of and', '', 'one']) {
			const { settledAt, cycleLength, last } = await orbit(distil, prompt);
			expect(cycleLength).toBe(1);
			expect(settledAt).toBeLessThanOrEqual(6);
			expect(last.split(' ').length).toBeLessThanOrEqual(3);
		}
		expect((await orbit(distil, paragraph)).last).toBe('kingdom princess collected');
	});

	it('honours keepFraction and minWords', async () => {
		const out = await distil.run(text('alpha bravo charlie delta echo foxtrot golf hotel'), { keepFraction: 0.25, minWords: 1 });
		expect(textOf(out).split(' ')).toHaveLength(2);
	});

	it('ranks the kept words when asked, and a ranked loop still comes to a fixed point', async () => {
		expect(distilText('The quick brown fox jumps over the lazy dog', 0.5, 3, 'most distinctive first')).toBe('jumps quick brown');
		expect(distilText('alpha bravo charlie delta echo foxtrot golf hotel', 0.5, 3, 'most distinctive first')).toBe('foxtrot bravo charlie alpha');
		const { cycleLength, last } = await orbit(distil, 'alpha bravo charlie delta echo foxtrot golf hotel', 10, { order: 'most distinctive first' });
		expect(cycleLength).toBe(1);
		expect(last).toBe('foxtrot bravo charlie');
	});
});

describe('local/associate', () => {
	it('moves ring words one step round their ring and keeps function words', () => {
		expect(associateText('Hot day in the Spring')).toBe('cold night in the summer');
		expect(associateText('cold night in the summer')).toBe('hot day in the autumn');
	});

	it('falls into a cycle whose length is the longest ring present', async () => {
		expect(await orbit(associate, 'hot and cold')).toMatchObject({ settledAt: 0, cycleLength: 2 });
		expect(await orbit(associate, 'fire on the water')).toMatchObject({ settledAt: 0, cycleLength: 4 });
		for (const prompt of ['a dream of the sea at dawn', 'the quick brown fox jumps over the lazy dog', 'zxqv']) {
			const { settledAt, cycleLength } = await orbit(associate, prompt);
			expect(settledAt).toBeLessThanOrEqual(1); // unknown words join a ring in one step
			expect([1, 2, 4]).toContain(cycleLength);
		}
	});

	it('rejects non-text input', async () => {
		await expect(associate.run({ kind: 'audio', bytes: new Uint8Array(), mime: 'audio/wav' }, {})).rejects.toThrow(/expects text/);
		await expect(distil.run(text('x'), {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
	});
});
