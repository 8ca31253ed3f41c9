import type { ParamSpec } from '../../shared/platforms/types';

/**
 * The settings OpenAI models take, as building blocks for the catalogue's per-model
 * `params`. Values differ per model (GPT Image 2.6 has `xhigh`/`max` quality, DALL·E 3 has
 * `standard`/`hd` and the only `style`; `instructions` works with gpt-4o-mini-tts, not tts-1),
 * so each entry lists its own; these helpers only keep labels and limits the same everywhere.
 * Keys are OpenAI's parameter names, except `system` and `prompt`, which the adapter places in
 * the messages or the form itself.
 */

export const systemPrompt = (value: string): ParamSpec => ({
	key: 'system',
	label: 'System prompt',
	help: 'What the model is asked to do with the text it receives.',
	kind: 'text',
	maxLength: 4000,
	multiline: true,
	default: value
});

export const visionPrompt = (value: string): ParamSpec => ({
	key: 'prompt',
	label: 'Question about the image',
	kind: 'text',
	maxLength: 4000,
	multiline: true,
	default: value
});

export const editPrompt = (value: string): ParamSpec => ({
	key: 'prompt',
	label: 'Edit instruction',
	help: 'How to change the image it receives.',
	kind: 'text',
	maxLength: 32000,
	multiline: true,
	default: value
});

/** 200 tokens is a few sentences: enough for a description, cheap in a loop. */
export const maxCompletionTokens: ParamSpec = {
	key: 'max_completion_tokens',
	label: 'Longest answer (tokens)',
	kind: 'number',
	min: 1,
	max: 4096,
	integer: true,
	default: 200
};

export const temperature: ParamSpec = {
	key: 'temperature',
	label: 'Temperature',
	help: 'Higher is more surprising.',
	kind: 'number',
	min: 0,
	max: 2,
	step: 0.1,
	default: 1
};

export const imageDetail: ParamSpec = {
	key: 'detail',
	label: 'Image detail',
	help: 'Low reads the image at 512×512: cheaper and quick.',
	kind: 'choice',
	options: ['low', 'high', 'auto'],
	default: 'low'
};

export const quality = (options: readonly string[], value: string): ParamSpec => ({ key: 'quality', label: 'Quality', kind: 'choice', options, default: value });

export const size = (options: readonly string[], value: string): ParamSpec => ({ key: 'size', label: 'Size', kind: 'choice', options, default: value });

export const dalleStyle: ParamSpec = { key: 'style', label: 'Style', kind: 'choice', options: ['vivid', 'natural'], default: 'vivid' };

export const transcriptionLanguage: ParamSpec = {
	key: 'language',
	label: 'Language (ISO-639-1, e.g. en)',
	help: 'Naming the spoken language makes transcription quicker and more accurate.',
	kind: 'text',
	maxLength: 10
};

export const transcriptionPrompt: ParamSpec = {
	key: 'prompt',
	label: 'Hint',
	help: 'Words or style to expect, in the spoken language.',
	kind: 'text',
	maxLength: 1000,
	multiline: true
};

export const voice = (options: readonly string[], value: string): ParamSpec => ({ key: 'voice', label: 'Voice', kind: 'choice', options, default: value });

/** No default: left unset, OpenAI speaks at 1×. */
export const speed: ParamSpec = { key: 'speed', label: 'Speed', kind: 'number', min: 0.25, max: 4, step: 0.05 };

export const speechInstructions: ParamSpec = {
	key: 'instructions',
	label: 'How to speak',
	help: 'e.g. “Whisper it, slowly.”',
	kind: 'text',
	maxLength: 4000,
	multiline: true
};

/** The defaults a list of specs gives, as a catalogue entry's `defaults` (what a node starts with). */
export function defaultsOf(specs: readonly ParamSpec[]): Record<string, string | number | boolean> {
	const defaults: Record<string, string | number | boolean> = {};
	for (const spec of specs) if (spec.default !== undefined) defaults[spec.key] = spec.default;
	return defaults;
}
