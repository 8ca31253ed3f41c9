import { describe, expect, it } from 'vitest';
import { computeAtlas } from '../atlas/compute';
import { formatAtlasTable } from './atlas-table';

const run = (runId: string, prompt: string, ends: string[]) => ({
	runId,
	prompt,
	startedAt: 0,
	outputs: ends.map((text, i) => ({ seq: i + 1, nodeId: 'caption', output: { kind: 'text' as const, text }, exactHash: text, vector: [text.length, 1] }))
});

describe('formatAtlasTable', () => {
	it('prints one line per attractor: id, basin, median steps, period, prompts', () => {
		const atlas = computeAtlas(
			[run('r1', 'apple', ['x', 'calm', 'calm']), run('r2', 'pear', ['yy', 'calm']), run('r3', 'plum', ['z', 'w', 'a very long end state'])],
			{ text: { id: 'test/len', threshold: 0.9999 } }
		);
		const lines = formatAtlasTable(atlas).split('\n');
		expect(lines[0]).toBe(`Attractors of 3 run(s) (text: test/len ≥ 0.9999; atlas v${atlas.version.atlas}, PANIC ${atlas.version.panic})`);
		expect(lines[1]).toMatch(/^attractor\s+basin\s+median steps\s+period\s+prompts$/);
		expect(lines[3]).toMatch(/^T1\s+2\/3\s+2\s+fixed point\s+apple; pear$/);
		expect(lines[4]).toMatch(/^T2\s+1\/3\s+3\s+none\s+plum$/);
		expect(lines).toHaveLength(5);
	});
});
