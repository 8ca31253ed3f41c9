import { describe, expect, test } from 'vitest';
import { duration, nodeNamesOf, promptTitle, runUrl, shownStatus, toOutput, toRunPage } from '$lib/feed/run-detail';
import { startReadiness } from '$lib/feed/start-readiness';
import { describeInput } from '$lib/feed/run-api';

const SHA = 'a'.repeat(64);

describe('toOutput', () => {
	test('stored payloads become something to render', () => {
		expect(toOutput({ kind: 'text', text: 'hi' })).toEqual({ kind: 'text', text: 'hi' });
		expect(toOutput({ kind: 'image', asset: { sha256: SHA, mime: 'image/png', ext: 'png' } })).toEqual({ kind: 'image', url: `/assets/${SHA}.png` });
		expect(toOutput({ kind: 'audio', url: `/assets/${SHA}.wav` })).toEqual({ kind: 'audio', url: `/assets/${SHA}.wav` });
		expect(toOutput('plain')).toEqual({ kind: 'text', text: 'plain' });
	});
	test('nothing unsafe or unknown gets a url', () => {
		expect(toOutput({ kind: 'image', url: 'https://x.example/a.png' })).toEqual({ kind: 'image' });
		expect(toOutput({ kind: 'image', asset: { sha256: '../etc', ext: 'png' } })).toEqual({ kind: 'image' });
		expect(toOutput({ kind: 'video' })).toBeNull();
		expect(toOutput(null)).toBeNull();
	});
});

describe('toRunPage', () => {
	test('reads camelCase or snake_case and orders invocations by seq', () => {
		const page = toRunPage({
			run: { id: 'r1', network_id: 'n1', status: 'stopped', stop_cause: 'stopped', input: { kind: 'text', text: 'sea' }, startedAt: '2025-01-01T00:00:00Z' },
			invocations: [
				{ seq: 2, node_id: 'caption', model_id: 'local/caption', state: 'completed', input: { kind: 'image', asset: { sha256: SHA, ext: 'png' } }, output: { kind: 'text', text: 'a boat' }, attempts: 1 },
				{ seq: 1, nodeId: 'paint', modelId: 'local/paint', state: 'failed', input: { kind: 'text', text: 'sea' }, output: null, error: 'boom', attempts: 3, queuedAt: '2025-01-01T00:00:00Z' }
			]
		});
		expect(page.run).toMatchObject({ id: 'r1', networkId: 'n1', status: 'stopped', stopCause: 'stopped', input: { kind: 'text', text: 'sea' } });
		expect(page.invocations.map((i) => i.seq)).toEqual([1, 2]);
		expect(page.invocations[0]).toMatchObject({ nodeId: 'paint', state: 'failed', error: 'boom', attempts: 3, output: null });
		expect(page.invocations[1]).toMatchObject({ nodeId: 'caption', input: { kind: 'image', url: `/assets/${SHA}.png` }, output: { kind: 'text', text: 'a boat' } });
	});
	test('a bare run object with no invocations is fine', () => {
		expect(toRunPage({ id: 'r2', status: 'running' })).toMatchObject({ run: { id: 'r2', status: 'running', stopCause: null }, invocations: [] });
	});
});

test('duration and runUrl', () => {
	expect(duration('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.340Z')).toBe('340 ms');
	expect(duration('2025-01-01T00:00:00Z', '2025-01-01T00:00:01.250Z')).toBe('1.3 s');
	expect(duration(null, '2025-01-01T00:00:01Z')).toBe('');
	expect(runUrl('r 1', 50, 10)).toBe('/api/runs/r%201?after=50&limit=10');
});

describe('startReadiness', () => {
	const models = new Map([
		['local/paint', { input: 'text' as const, name: 'Paint' }],
		['local/caption', { input: 'image' as const, name: 'Caption' }]
	]);
	const modelOf = (id: string) => models.get(id);
	const nodes = [
		{ id: 'p', modelId: 'local/paint' },
		{ id: 'c', modelId: 'local/caption' },
		{ id: 'x', modelId: 'gone/model' }
	];
	test('says why a run cannot start', () => {
		expect(startReadiness({ nodes: [], startNodeId: null }, modelOf)).toMatchObject({ ok: false, reason: /Add a model/ });
		expect(startReadiness({ nodes, startNodeId: null }, modelOf)).toMatchObject({ ok: false, reason: /No start node/ });
		expect(startReadiness({ nodes, startNodeId: 'zz' }, modelOf)).toMatchObject({ ok: false, reason: /gone/ });
		expect(startReadiness({ nodes, startNodeId: 'x' }, modelOf)).toMatchObject({ ok: false, reason: /gone\/model/ });
	});
	test('and what the start node takes when it can', () => {
		expect(startReadiness({ nodes, startNodeId: 'p' }, modelOf)).toEqual({ ok: true, input: 'text', startName: 'Paint' });
		expect(startReadiness({ nodes, startNodeId: 'c' }, modelOf)).toEqual({ ok: true, input: 'image', startName: 'Caption' });
	});
});

test('describeInput reads a run input for the history list', () => {
	expect(describeInput('sea')).toBe('sea');
	expect(describeInput({ kind: 'text', text: 'sea' })).toBe('sea');
	expect(describeInput({ kind: 'image', asset: {} })).toBe('(image)');
	expect(describeInput({ kind: 'audio', mime: 'audio/wav' })).toBe('(audio, audio/wav)');
	expect(describeInput(null)).toBe('');
});

test('nodes by name: a label, else the model’s name, numbered when two share one; unknown models keep the id', () => {
	const graph = {
		nodes: [
			{ id: 'n1', modelId: 'local/paint', label: 'Painter' },
			{ id: 'n2', modelId: 'local/caption' },
			{ id: 'n3', modelId: 'local/caption', label: '  ' },
			{ id: 'n4', modelId: 'gone/model' }
		]
	};
	const names = nodeNamesOf(graph, (id) => ({ 'local/paint': 'Paint', 'local/caption': 'Caption' })[id]);
	expect(names).toEqual({ n1: 'Painter', n2: 'Caption', n3: 'Caption 2', n4: 'n4' });
	expect(nodeNamesOf(null, () => 'x')).toEqual({});
});

test('the prompt as a title, and a paused run shown as paused', () => {
	expect(promptTitle({ kind: 'text', text: '  the sea ' })).toBe('the sea');
	expect(promptTitle({ kind: 'image', url: '/assets/x.png' })).toBe('Run from an image');
	expect(promptTitle(null)).toBe('Run');
	expect(shownStatus({ status: 'running', pausedAt: '2025-01-01T00:00:00Z' })).toBe('paused');
	expect(shownStatus({ status: 'stopped', pausedAt: '2025-01-01T00:00:00Z' })).toBe('stopped');
	expect(shownStatus({ status: 'running', pausedAt: null })).toBe('running');
});
