import type { Modality, ModelInfo } from '../types';

/** Catalogue entry for a dummy model: test fixtures, no key, no network. */
export function dummyInfo(name: string, input: Modality, output: Modality, description: string, defaults: Record<string, unknown> = {}): ModelInfo {
	return {
		id: `dummy/${name}`,
		platform: 'dummy',
		name: `Dummy ${name}`,
		input,
		output,
		description,
		homepage: `/models#dummy/${name}`,
		defaults
	};
}
