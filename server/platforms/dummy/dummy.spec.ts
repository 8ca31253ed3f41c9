import { describe, expect, it } from 'vitest';
import { DUMMY_MODELS } from './index';

const byId = (id: string) => {
	const model = DUMMY_MODELS.find((m) => m.info.id === id);
	if (!model) throw new Error(`no ${id}`);
	return model;
};
const text = (value: string) => ({ kind: 'text' as const, text: value });

describe('DUMMY_MODELS', () => {
	it('covers every modality pair needed by tests, all on the dummy platform', () => {
		expect(DUMMY_MODELS.map((m) => m.info.id).sort()).toEqual(
			['dummy/audio-to-text', 'dummy/echo', 'dummy/fail', 'dummy/image-to-text', 'dummy/slow', 'dummy/text-to-audio', 'dummy/text-to-image', 'dummy/upper'].sort()
		);
		for (const { info } of DUMMY_MODELS) expect(info.platform).toBe('dummy');
	});

	it('echo and upper transform text', async () => {
		expect(await byId('dummy/echo').run(text('Hi there'), {})).toEqual(text('Hi there'));
		expect(await byId('dummy/upper').run(text('Hi there'), {})).toEqual(text('HI THERE'));
	});

	it('media models are deterministic and hash-named', async () => {
		const image = await byId('dummy/text-to-image').run(text('hello'), {});
		expect(image).toMatchObject({ kind: 'image', mime: 'image/png' });
		expect(await byId('dummy/text-to-image').run(text('hello'), {})).toEqual(image);
		expect(await byId('dummy/text-to-image').run(text('other'), {})).not.toEqual(image);
		const name = await byId('dummy/image-to-text').run(image, {});
		expect(name).toMatchObject({ kind: 'text', text: expect.stringMatching(/^image [0-9a-f]{8}$/) });

		const audio = await byId('dummy/text-to-audio').run(text('hello'), {});
		expect(audio).toMatchObject({ kind: 'audio', mime: 'audio/wav' });
		if (audio.kind !== 'audio') throw new Error('expected audio');
		expect(new TextDecoder().decode(audio.bytes.subarray(0, 4))).toBe('RIFF');
		expect(await byId('dummy/audio-to-text').run(audio, {})).toMatchObject({ text: expect.stringMatching(/^audio [0-9a-f]{8}$/) });
		await expect(byId('dummy/image-to-text').run(text('x'), {})).rejects.toThrow(/expects a PNG image/);
	});

	it('fail always fails', async () => {
		await expect(byId('dummy/fail').run(text('x'), {})).rejects.toThrow('dummy/fail always fails');
	});

	it('slow waits params.ms and rejects with AbortError when aborted', async () => {
		const slow = byId('dummy/slow');
		const start = Date.now();
		expect(await slow.run(text('later'), { ms: 60 })).toEqual(text('later'));
		expect(Date.now() - start).toBeGreaterThanOrEqual(55);

		const controller = new AbortController();
		const pending = slow.run(text('never'), { ms: 10_000 }, controller.signal);
		setTimeout(() => controller.abort(), 20);
		const abortedAt = Date.now();
		await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
		expect(Date.now() - abortedAt).toBeLessThan(1000);
	});

	it('every dummy honours an already-aborted signal', async () => {
		const inputs = {
			text: text('x'),
			image: await byId('dummy/text-to-image').run(text('x'), {}),
			audio: await byId('dummy/text-to-audio').run(text('x'), {})
		};
		for (const model of DUMMY_MODELS) {
			await expect(model.run(inputs[model.info.input], {}, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
		}
	});
});
