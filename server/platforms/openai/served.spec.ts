/**
 * The catalogue held against the table of what OpenAI really serves (served.ts): a test here
 * fails when the catalogue names a model outside the table, offers a model that is retired or
 * past its shutdown date, or lets a node send a setting the model refuses. The fake OpenAI
 * serves exactly the table, so these are also what keeps the fake honest about the catalogue.
 */
import { describe, expect, it } from 'vitest';
import { isOffered } from '../../shared/platforms/availability-view';
import { OPENAI_EMBEDDERS, OPENAI_MODELS, type OpenAIEndpoint } from './models';
import { OPENAI_RETIRED, OPENAI_SERVED, knownShutdownDate, retiredModel, servedModel, type OpenAIRoute } from './served';

const ROUTE: Record<OpenAIEndpoint, OpenAIRoute> = {
	chat: '/v1/chat/completions',
	vision: '/v1/chat/completions',
	image: '/v1/images/generations',
	'image-edit': '/v1/images/edits',
	transcribe: '/v1/audio/transcriptions',
	speech: '/v1/audio/speech'
};
const today = new Date().toISOString().slice(0, 10);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const entries = [
	...OPENAI_MODELS.map((m) => ({ id: m.id, model: m.openai.model, route: ROUTE[m.openai.endpoint], deprecated: m.deprecated === true, retires: m.retires })),
	...OPENAI_EMBEDDERS.map((e) => ({ id: e.id, model: e.openai.model, route: '/v1/embeddings' as const, deprecated: false, retires: e.retires }))
];

describe('the OpenAI catalogue against what OpenAI serves', () => {
	it.each(entries)('$id names a model in the table (served or retired)', ({ model }) => {
		expect(servedModel(model) ?? retiredModel(model), `${model} is not in served.ts`).toBeDefined();
	});

	// Offered as the palette offers: a model past its announced shutdown drops out that day by itself.
	it.each(entries.filter((e) => isOffered(e)))('$id (offered) is served, on its route, with no shutdown date passed', ({ model, route }) => {
		const served = servedModel(model);
		expect(served, `${model} is not served`).toBeDefined();
		expect(served?.routes).toContain(route);
		if (served?.shutdownDate) expect(served.shutdownDate > today, `${model} shut down on ${served.shutdownDate}`).toBe(true);
	});

	it.each(entries.filter((e) => servedModel(e.model)))('$id (served) is called on a route that serves it', ({ model, route }) => {
		expect(servedModel(model)?.routes).toContain(route);
	});

	it.each(entries)('$id carries the shutdown date the table knows, and is deprecated when retired', ({ model, retires, deprecated }) => {
		expect(retires).toBe(knownShutdownDate(model));
		if (retiredModel(model)) expect(deprecated).toBe(true);
	});

	it('lists no model PANIC does not name, and each model once', () => {
		const named = new Set(entries.map((e) => e.model));
		for (const m of [...OPENAI_SERVED, ...OPENAI_RETIRED]) if (!['dall-e-2', 'gpt-image-1-mini', 'gpt-image-1.5'].includes(m.id)) expect(named).toContain(m.id);
		const ids = [...OPENAI_SERVED, ...OPENAI_RETIRED].map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const m of OPENAI_SERVED) if (m.shutdownDate) expect(m.shutdownDate).toMatch(ISO_DATE);
		for (const m of OPENAI_RETIRED) {
			expect(m.shutDown <= today).toBe(true);
			expect(m.message).toContain(`\`${m.id}\``);
		}
	});
});

describe('each OpenAI entry’s settings against what its model takes', () => {
	it.each(OPENAI_MODELS)('$id offers only settings its model takes, with values it takes', (m) => {
		const served = servedModel(m.openai.model);
		const keys = m.params.map((p) => p.key);
		expect(new Set(keys).size).toBe(keys.length);
		for (const key of Object.keys(m.openai.params)) expect(keys, `${key} is both fixed and a setting`).not.toContain(key);
		for (const key of ['model', 'n', 'stream', 'input', 'messages', 'file', 'image']) expect(keys).not.toContain(key);
		for (const key of [...keys, ...Object.keys(m.openai.params)]) expect(served?.refuses ?? []).not.toContain(key);
		for (const spec of m.params) {
			const accepted = served?.accepts?.[spec.key];
			if (spec.kind === 'choice' && accepted) for (const option of spec.options) expect(accepted).toContain(option);
		}
		for (const [key, value] of Object.entries(m.openai.params)) {
			const accepted = served?.accepts?.[key];
			if (accepted) expect(accepted).toContain(String(value));
		}
	});

	it('differs per model where OpenAI’s models differ', () => {
		const keysOf = (id: string) => OPENAI_MODELS.find((m) => m.id === id)?.params.map((p) => p.key);
		const optionsOf = (id: string, key: string) => {
			const spec = OPENAI_MODELS.find((m) => m.id === id)?.params.find((p) => p.key === key);
			return spec?.kind === 'choice' ? spec.options : undefined;
		};
		expect(keysOf('openai/gpt-6-luna')).not.toContain('temperature');
		expect(keysOf('openai/gpt-4o-mini')).toContain('temperature');
		expect(keysOf('openai/gpt-4o-mini-tts')).toContain('instructions');
		expect(keysOf('openai/tts-1')).not.toContain('instructions');
		expect(OPENAI_MODELS.filter((m) => m.params.some((p) => p.key === 'style')).map((m) => m.id)).toEqual(['openai/dall-e-3']);
		expect(optionsOf('openai/gpt-image-2.6-flare', 'quality')).toEqual(['low', 'medium', 'high', 'xhigh', 'max', 'auto']);
		expect(optionsOf('openai/gpt-image-1', 'quality')).toEqual(['low', 'medium', 'high', 'auto']);
		expect(optionsOf('openai/dall-e-3', 'quality')).toEqual(['standard', 'hd']);
	});

	it.each(OPENAI_MODELS)('$id is complete: confirmed date, pricing, page, defaults from its settings', (m) => {
		expect(m.id).toMatch(/^openai\/[a-z0-9.-]+$/);
		expect(m.platform).toBe('openai');
		expect(m.confirmed).toMatch(ISO_DATE);
		expect(m.confirmed <= today).toBe(true);
		if (m.retires) expect(m.retires).toMatch(ISO_DATE);
		expect(m.pricing).toBeTruthy();
		expect(Object.keys(m.openai.pricing).length).toBeGreaterThan(0);
		expect(m.homepage).toBe(`https://developers.openai.com/api/docs/models/${m.openai.model}`);
		expect(m.defaults).toEqual(Object.fromEntries(m.params.filter((p) => p.default !== undefined).map((p) => [p.key, p.default])));
	});
});
