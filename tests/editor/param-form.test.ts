import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { nodesOf, writeGraph } from '$shared/graph/doc';
import { GraphWriteRule } from '$server/graph/write-rule';
import type { ModelInfo, ParamSpec } from '$shared/platforms/types';
import { EditorController } from '$lib/editor/editor-controller.svelte';
import type { FlowNode } from '$lib/editor/flow-mapping';
import { GraphBinding } from '$lib/editor/graph-binding';
import { defaultOf, paramsSizeProblem, paramsWith, readField, showValue, storedProblem, unusedParams } from '$lib/editor/param-form';

const quality: ParamSpec = { key: 'quality', label: 'Quality', kind: 'choice', options: ['low', 'high'], default: 'low' };
const steps: ParamSpec = { key: 'steps', label: 'Steps', kind: 'number', min: 1, max: 50, integer: true, default: 3 };
const share: ParamSpec = { key: 'share', label: 'Share', kind: 'number', min: 0.1, max: 0.9, step: 0.05 };
const system: ParamSpec = { key: 'system', label: 'System', kind: 'text', maxLength: 5 };
const fast: ParamSpec = { key: 'fast', label: 'Fast', kind: 'boolean' };

describe('param-form', () => {
	test('readField: numbers, choices, text and switches, checked as the adapters check them', () => {
		expect(readField(steps, '12')).toEqual({ ok: true, value: 12 });
		expect(readField(steps, '')).toEqual({ ok: true, value: undefined });
		expect(readField(steps, '99')).toEqual({ ok: false, error: 'Takes a whole number from 1 to 50.' });
		expect(readField(steps, '2.5')).toMatchObject({ ok: false });
		expect(readField(steps, '', true)).toEqual({ ok: false, error: 'Not a number. Takes a whole number from 1 to 50.' });
		expect(readField(share, '0.35')).toEqual({ ok: true, value: 0.35 });
		expect(readField(share, '1')).toEqual({ ok: false, error: 'Takes a number from 0.1 to 0.9.' });
		expect(readField(quality, 'high')).toEqual({ ok: true, value: 'high' });
		expect(readField(quality, '')).toEqual({ ok: true, value: undefined });
		expect(readField(quality, 'hd')).toEqual({ ok: false, error: 'Takes one of low, high.' });
		expect(readField(system, 'brief')).toEqual({ ok: true, value: 'brief' });
		expect(readField(system, 'too long')).toEqual({ ok: false, error: 'Takes text of at most 5 characters.' });
		expect(readField(fast, false)).toEqual({ ok: true, value: false });
	});

	test('defaults: the entry default when the spec accepts it, else the spec default', () => {
		expect(defaultOf(steps, {})).toBe(3);
		expect(defaultOf(steps, { steps: 7 })).toBe(7);
		expect(defaultOf(steps, { steps: 700 })).toBe(3);
		expect(defaultOf(share, {})).toBeUndefined();
		expect(showValue(true)).toBe('on');
		expect(showValue({ a: 'x'.repeat(100) })).toHaveLength(80);
	});

	test('stored values a run would refuse are named; unused keys listed in order', () => {
		expect(storedProblem(steps, 99)).toBe('99 would fail a run. Takes a whole number from 1 to 50.');
		expect(storedProblem(steps, 4)).toBeNull();
		expect(storedProblem(steps, '')).toBeNull();
		expect(unusedParams({ steps: 4, style: 'vivid', aspect: '1:1' }, [steps])).toEqual([['aspect', '1:1'], ['style', 'vivid']]);
	});

	test('paramsWith sets and removes; the size check mirrors the server limit', () => {
		expect(paramsWith(undefined, 'steps', 4)).toEqual({ steps: 4 });
		expect(paramsWith({ steps: 4, a: 1 }, 'steps', undefined)).toEqual({ a: 1 });
		expect(paramsWith({ steps: 4 }, 'steps', undefined)).toBeUndefined();
		expect(paramsSizeProblem({ text: 'x'.repeat(4000) })).toBeNull();
		expect(paramsSizeProblem({ text: 'é'.repeat(2100) })).toMatch(/may take 4096 bytes; these would take 42\d\d/);
	});
});

const model = (id: string, params?: ParamSpec[]): ModelInfo => ({
	id,
	platform: 'local',
	name: id,
	input: 'text',
	output: 'text',
	description: '',
	homepage: '',
	defaults: {},
	...(params ? { params } : {})
});

function setup(access: 'owner' | 'editor' | 'viewer' = 'editor') {
	const doc = new Y.Doc();
	writeGraph(doc, { nodes: [{ id: 'd', modelId: 'm/tuned', x: 0, y: 0, params: { style: 'vivid' } }, { id: 'p', modelId: 'm/plain', x: 200, y: 0 }], edges: [] }, 'server');
	const editor = new EditorController(new GraphBinding(doc), [model('m/tuned', [quality, steps]), model('m/plain')], access);
	return { doc, editor, params: () => nodesOf(doc).get('d')!.get('params') };
}

describe('EditorController settings', () => {
	test('setParam writes checked values into the node params; undefined removes; bad values are refused', () => {
		const { editor, params, doc } = setup();
		expect(editor.setParam('d', 'quality', 'high')).toBeNull();
		expect(editor.setParam('d', 'steps', 12)).toBeNull();
		expect(params()).toEqual({ style: 'vivid', quality: 'high', steps: 12 });
		expect(editor.graph.nodes.find((n) => n.id === 'd')!.params).toEqual({ style: 'vivid', quality: 'high', steps: 12 });
		expect(editor.setParam('d', 'steps', 99)).toBe('Takes a whole number from 1 to 50.');
		expect(editor.setParam('d', 'style', 'matte')).toBe('This model does not take that setting.');
		expect(params()).toEqual({ style: 'vivid', quality: 'high', steps: 12 });
		expect(editor.setParam('d', 'style', undefined)).toBeNull();
		expect(editor.setParam('d', 'quality', undefined)).toBeNull();
		expect(editor.setParam('d', 'steps', undefined)).toBeNull();
		expect(nodesOf(doc).get('d')!.has('params')).toBe(false);
		// Each change is its own undo step.
		editor.undo();
		expect(params()).toEqual({ steps: 12 });
	});

	test('what setParam writes passes the server sync write rule', () => {
		const { editor, doc } = setup();
		const rule = new GraphWriteRule();
		rule.reset(doc);
		let problem: string | null = 'not checked';
		doc.on('afterTransaction', (tr: Y.Transaction) => (problem = rule.check(doc, tr.changed)));
		editor.setParam('d', 'steps', 5);
		expect(problem).toBeNull();
		editor.setParam('d', 'steps', undefined);
		expect(problem).toBeNull();
	});

	test('selecting one model node opens its settings; deleting the node closes them; viewers write nothing', () => {
		const { editor } = setup();
		editor.setFlowNodes(editor.nodes.map((n) => ({ ...n, selected: n.id === 'p' })) as FlowNode[]);
		expect(editor.settings).toEqual({ nodeId: 'p', focus: false });
		editor.closeSettings();
		editor.openSettings('d', true);
		expect(editor.settings).toEqual({ nodeId: 'd', focus: true });
		editor.deleteNode('d');
		expect(editor.settings).toBeNull();

		const viewer = setup('viewer');
		viewer.editor.openSettings('d');
		expect(viewer.editor.settings?.nodeId).toBe('d');
		expect(viewer.editor.setParam('d', 'steps', 5)).toMatch(/only look/);
		expect(viewer.params()).toEqual({ style: 'vivid' });
	});
});
