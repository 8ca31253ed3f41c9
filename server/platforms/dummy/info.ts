import type { Modality, ModelInfo, ParamSpec } from '../../shared/platforms/types';

/** Catalogue entry for a dummy model: test fixtures, no key, no network. */
export function dummyInfo(name: string, input: Modality, output: Modality, description: string, defaults: Record<string, unknown> = {}, params?: ParamSpec[]): ModelInfo {
	return {
		id: `dummy/${name}`,
		platform: 'dummy',
		name: `Dummy ${name}`,
		input,
		output,
		description,
		homepage: `/models#dummy/${name}`,
		defaults,
		...(params ? { params } : {})
	};
}
