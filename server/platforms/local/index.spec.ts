import { describe, expect, it } from 'vitest';
import type { Modality, Payload } from '../../shared/platforms/types';
import { LOCAL_MODELS } from './index';
import { paint } from './paint';
import { sing } from './sing';
import { text } from './test-fixtures';

/** A typical input of each modality, made by the local models themselves. */
async function typicalInputs(): Promise<Record<Modality, Payload>> {
	const prompt = 'a large red circle, a blue triangle and a small yellow stripe on a white background';
	return {
		text: text(prompt),
		image: await paint.run(text(prompt), {}),
		audio: await sing.run(text('C4 short E4 G4 long rest A4 G4 F4 E4 D4 C4 long'), {})
	};
}

/** Byte-for-byte equality (vitest's deep equality is slow on large typed arrays). */
function sameOutput(a: Payload, b: Payload): boolean {
	if (a.kind === 'text' || b.kind === 'text') return a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);
	return a.kind === b.kind && a.mime === b.mime && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
}

describe('LOCAL_MODELS', () => {
	it('is a catalogue of local models with unique ids, descriptions and homepages', () => {
		const ids = LOCAL_MODELS.map((m) => m.info.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toEqual(expect.arrayContaining(['local/paint', 'local/caption', 'local/sing', 'local/listen', 'local/distil', 'local/associate']));
		for (const { info } of LOCAL_MODELS) {
			expect(info.platform).toBe('local');
			expect(info.id).toBe(`local/${info.id.split('/')[1]}`);
			expect(info.homepage).toBe(`/models#${info.id}`);
			expect(info.description.length).toBeGreaterThan(30);
		}
	});

	// How fast each one is: `npm run bench:models` (a timed assertion here failed under load).
	it('every model is deterministic and returns its declared modality', async () => {
		const inputs = await typicalInputs();
		for (const model of LOCAL_MODELS) {
			const input = inputs[model.info.input];
			const first = await model.run(input, model.info.defaults);
			expect(first.kind).toBe(model.info.output);
			expect(sameOutput(await model.run(input, model.info.defaults), first)).toBe(true);
		}
	});

	it('every model rejects the wrong modality and an already-aborted signal', async () => {
		const inputs = await typicalInputs();
		for (const model of LOCAL_MODELS) {
			const wrong = inputs[model.info.input === 'text' ? 'image' : 'text'];
			await expect(model.run(wrong, {})).rejects.toThrow(new RegExp(`^${model.info.id} expects`));
			await expect(model.run(inputs[model.info.input], {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
		}
	});
});
