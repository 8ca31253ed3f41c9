import { describe, expect, it } from 'vitest';
import { associate } from './associate';
import { caption } from './caption';
import { distil } from './distil';
import type { LocalModel } from './model';
import { paint } from './paint';
import { text, textOf } from './test-fixtures';

/** Runs text through a chain of text→…→text models until a text repeats. */
async function chainOrbit(chain: LocalModel[], start: string, maxSteps = 40) {
	const seen = new Map<string, number>();
	let current = start;
	for (let step = 0; step <= maxSteps; step++) {
		if (seen.has(current)) return { settledAt: seen.get(current)!, cycleLength: step - seen.get(current)! };
		seen.set(current, step);
		let payload = text(current);
		for (const model of chain) payload = await model.run(payload, {});
		current = textOf(payload);
	}
	throw new Error(`no repeat within ${maxSteps} steps`);
}

// Two-model loops drift for a few steps before they settle (caption.spec, listen.spec).
// A third model that rewrites words makes the loop wander for longer: associate's words
// name no background, so paint lays them out tidily and the wandering is associate's own.
describe('longer loops drift, then settle', () => {
	const prompts = ['a dream of the sea at dawn', 'red circle', 'the quick brown fox jumps over the lazy dog'];

	it.each(prompts)('paint → caption → associate from %j', async (prompt) => {
		const { settledAt, cycleLength } = await chainOrbit([paint, caption, associate], prompt);
		console.info(`paint→caption→associate ${JSON.stringify(prompt)}: enters a ${cycleLength}-cycle after ${settledAt} steps`);
		expect(settledAt).toBeGreaterThan(1);
		expect(settledAt + cycleLength).toBeLessThanOrEqual(30);
	});

	it.each(prompts)('paint → caption → distil from %j', async (prompt) => {
		const { settledAt, cycleLength } = await chainOrbit([paint, caption, distil], prompt);
		console.info(`paint→caption→distil ${JSON.stringify(prompt)}: fixed point after ${settledAt} steps`);
		expect(cycleLength).toBe(1);
		expect(settledAt).toBeLessThanOrEqual(5);
	});
});
