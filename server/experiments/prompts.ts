import { MAX_INPUT_TEXT } from '../engine/runs-service';
import { ExperimentError } from './errors';

/**
 * The prompts of a prompts file: one per line, trimmed; blank lines and lines starting with
 * `#` are skipped (so a file can carry notes). A prompt keeps any `#` after its first
 * character, as prompts may well contain one.
 */
export function parsePrompts(text: string, source = 'the prompts file'): string[] {
	const prompts: string[] = [];
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	lines.forEach((raw, i) => {
		const line = raw.trim();
		if (!line || line.startsWith('#')) return;
		if (line.length > MAX_INPUT_TEXT) {
			throw new ExperimentError(`Line ${i + 1} of ${source} is ${line.length} characters; a prompt may have at most ${MAX_INPUT_TEXT}.`);
		}
		prompts.push(line);
	});
	if (!prompts.length) throw new ExperimentError(`${source} has no prompts: write one per line (blank lines and # comments are skipped).`);
	return prompts;
}
