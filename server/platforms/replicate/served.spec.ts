import { describe, expect, it } from 'vitest';
import { REPLICATE_EMBEDDERS, REPLICATE_MODELS } from './models';
import { CLIP_EMBEDDINGS_VERSION, REPLICATE_REMOVED, REPLICATE_SERVED, servedMismatches, servedModel, WHISPER_VERSION } from './served';

/**
 * The catalogue against the table of what real Replicate serves: every curated model and
 * embedder, deprecated ones included, must name a served model (and version), put its payload
 * in an input that model has, fix only inputs it takes with values it accepts, offer only
 * settings it takes within its ranges, and read the output it gives.
 */
describe('the Replicate catalogue against what Replicate serves', () => {
	it.each(REPLICATE_MODELS.map((m) => [m.id, m] as const))('%s is served, and asks only what the model takes', (_, m) => {
		expect(servedMismatches(m.replicate, m.params)).toEqual([]);
	});

	it.each(REPLICATE_EMBEDDERS.map((e) => [e.id, e] as const))('embedder %s is served', (_, e) => {
		expect(servedMismatches(e.replicate)).toEqual([]);
	});

	it('fails for an entry outside the table: an unknown model, a version Replicate does not have, a removed model', () => {
		const flux = REPLICATE_MODELS.find((m) => m.replicate.model === 'black-forest-labs/flux-schnell')!;
		expect(servedMismatches({ ...flux.replicate, model: 'someone/unheard-of' })).toEqual(['Replicate does not serve someone/unheard-of (not in served.ts)']);
		expect(servedMismatches({ ...flux.replicate, model: 'openai/whisper', version: '0'.repeat(64) })[0]).toMatch(/does not serve openai\/whisper:0000/);
		expect(servedMismatches({ ...flux.replicate, model: 'openai/gpt-5-nano' })[0]).toMatch(/does not serve openai\/gpt-5-nano/);
	});

	it('fails for a setting or fixed input the model does not take, or a value it refuses', () => {
		const kontext = REPLICATE_MODELS.find((m) => m.replicate.model === 'black-forest-labs/flux-kontext-pro')!;
		expect(servedMismatches({ ...kontext.replicate, input: { output_format: 'webp' } })).toEqual([
			'black-forest-labs/flux-kontext-pro refuses "webp" as `output_format`'
		]);
		expect(servedMismatches(kontext.replicate, [{ key: 'style', kind: 'text' }])).toEqual(['black-forest-labs/flux-kontext-pro takes no `style`']);
		expect(servedMismatches(kontext.replicate, [{ key: 'seed', kind: 'number', min: 0, max: 10, default: 1.5 }])).toEqual([
			'`seed` takes whole numbers on black-forest-labs/flux-kontext-pro',
			'black-forest-labs/flux-kontext-pro refuses 1.5 as `seed`'
		]);
		expect(servedMismatches({ ...kontext.replicate, outputShape: 'text' })).toEqual(["black-forest-labs/flux-kontext-pro's output is not text"]);
	});

	it('pins the versions research tied to 2026, and lists no removed model as served', () => {
		expect(servedModel('openai/whisper', WHISPER_VERSION)).toBeDefined();
		expect(servedModel('krthr/clip-embeddings', CLIP_EMBEDDINGS_VERSION)).toBeDefined();
		expect(REPLICATE_MODELS.find((m) => m.id === 'replicate/openai/whisper')?.replicate.version).toBe(WHISPER_VERSION);
		for (const removed of REPLICATE_REMOVED) expect(servedModel(removed.ref, removed.version)).toBeUndefined();
		const refs = REPLICATE_SERVED.map((m) => m.ref);
		expect(new Set(refs).size).toBe(refs.length);
	});

	it('dates every entry and prices it; superseded entries are deprecated, not gone', () => {
		for (const m of [...REPLICATE_MODELS, ...REPLICATE_EMBEDDERS]) {
			expect(m.confirmed, m.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			expect(m.pricing, m.id).toBeTruthy();
		}
		const deprecated = REPLICATE_MODELS.filter((m) => m.deprecated).map((m) => m.replicate.model);
		expect(deprecated.sort()).toEqual(['salesforce/blip', 'stability-ai/sdxl', 'suno-ai/bark', 'yorickvp/llava-13b']);
		// Each direction keeps a model the palette shows.
		const shown = new Set(REPLICATE_MODELS.filter((m) => !m.deprecated).map((m) => `${m.input}→${m.output}`));
		for (const d of ['text→image', 'image→text', 'audio→text', 'text→audio', 'text→text', 'image→image']) expect(shown).toContain(d);
	});
});
