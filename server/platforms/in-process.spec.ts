import { describe, expect, it } from 'vitest';
import { DUMMY_MODELS } from './dummy/index';
import { LOCAL_MODELS } from './local/index';
import { acceptsValue } from '../shared/platforms/param-checks';
import { builtInPlatforms, PlatformError } from './platform';
import type { ModelInfo } from '../shared/platforms/types';

const platforms = builtInPlatforms();
const local = platforms.get('local')!;
const dummy = platforms.get('dummy')!;
const info = (id: string): ModelInfo => [...LOCAL_MODELS, ...DUMMY_MODELS].find((m) => m.info.id === id)!.info;
const text = (value: string) => ({ kind: 'text' as const, text: value });
const invoke = (platform = local, id: string, input: string, params: Record<string, unknown>) =>
	platform.invoke(info(id), text(input), { signal: new AbortController().signal, params });

describe('built-in models take settings through their ParamSpecs', () => {
	it('every spec has a default the spec accepts, and entry defaults agree with the specs', () => {
		for (const { info: model } of [...LOCAL_MODELS, ...DUMMY_MODELS]) {
			for (const spec of model.params ?? []) {
				expect(acceptsValue(spec, spec.default), `${model.id} ${spec.key}`).toBe(true);
				if (spec.key in model.defaults) expect(model.defaults[spec.key], `${model.id} ${spec.key}`).toBe(spec.default);
			}
			// A default no spec names would never reach the model: resolveParams drops it.
			for (const key of Object.keys(model.defaults)) expect(model.params?.map((s) => s.key), `${model.id} ${key}`).toContain(key);
		}
	});

	it('a node setting changes what distil does; keys it does not take are dropped', async () => {
		const words = 'alpha bravo charlie delta echo foxtrot golf hotel';
		expect(await invoke(local, 'local/distil', words, {})).toEqual({ output: text('alpha bravo charlie foxtrot') });
		expect(await invoke(local, 'local/distil', words, { minWords: 2, keepFraction: 0.1, style: 'vivid' })).toEqual({ output: text('bravo foxtrot') });
		expect(await invoke(local, 'local/distil', words, { order: 'most distinctive first' })).toEqual({ output: text('foxtrot bravo charlie alpha') });
	});

	it('a bad value fails the step as invalid input, naming the setting', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ minWords: 2.5 }, /Distil cannot use 2\.5 as its “Fewest words”: it takes a whole number from 1 to 50/],
			[{ keepFraction: 2 }, /“Share of words kept”: it takes a number from 0\.1 to 0\.9/],
			[{ order: 'backwards' }, /“Word order”: it takes one of as written, most distinctive first/]
		];
		for (const [params, message] of cases) {
			const failure = await invoke(local, 'local/distil', 'some words here', params).catch((e: unknown) => e);
			expect(failure).toBeInstanceOf(PlatformError);
			expect((failure as PlatformError).kind).toBe('invalid_input');
			expect((failure as Error).message).toMatch(message);
		}
		await expect(invoke(dummy, 'dummy/slow', 'x', { ms: -5 })).rejects.toMatchObject({ kind: 'invalid_input' });
	});

	it('dummy/slow still waits the ms a node sets', async () => {
		const start = Date.now();
		expect(await invoke(dummy, 'dummy/slow', 'later', { ms: 40 })).toEqual({ output: text('later') });
		expect(Date.now() - start).toBeGreaterThanOrEqual(35);
	});
});
