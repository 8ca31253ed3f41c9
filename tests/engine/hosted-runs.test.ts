/**
 * How the engine treats hosted platforms, whatever the provider: missing keys are named
 * before a run starts, a refused key stops the run with a reason, a safety refusal is
 * retried once with a harmless input, costs and metrics are recorded and a dollar budget
 * stops the run, and models added by name resolve for the owner and are kept on the run.
 * The platform here is scripted in-process; the provider adapters have their own suites
 * against fake provider servers (tests/platforms).
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../server/db/connect';
import { SAFETY_FALLBACK_PROMPT } from '../../server/engine/safety';
import type { RunSettingsInput } from '../../server/engine/settings';
import { AppError } from '../../server/errors';
import type { Graph } from '../../server/shared/graph/types';
import { Catalogue } from '../../server/platforms/catalogue';
import { builtInPlatforms, PlatformError, type InvokeOptions, type Platform } from '../../server/platforms/platform';
import type { ModelInfo, Payload, PlatformId } from '../../server/shared/platforms/types';
import { backends } from '../helpers/databases';
import { engineBed } from '../helpers/engine-bed';
import { loopGraph } from '../helpers/graphs';
import { until } from '../helpers/wait';

const hostedModel = (id: string, platform: PlatformId): ModelInfo => ({
	id,
	platform,
	name: id,
	input: 'text',
	output: 'text',
	description: 'scripted',
	homepage: 'https://example.org',
	defaults: {}
});

/** A hosted platform whose answers a test scripts: each call runs the next behaviour (or the default). */
class ScriptedPlatform implements Platform {
	readonly needsKey = true;
	readonly calls: Array<{ model: string; input: Payload; key?: string }> = [];
	script: Array<(input: Payload) => Promise<Payload> | Payload> = [];
	costUsd: number | undefined = 0.01;
	constructor(readonly id: PlatformId) {}
	async invoke(model: ModelInfo, input: Payload, options: InvokeOptions) {
		this.calls.push({ model: model.id, input, key: options.key });
		const next = this.script.shift();
		const output = next ? await next(input) : { kind: 'text' as const, text: `${input.kind === 'text' ? input.text : ''}!` };
		return { output, requestId: `req-${this.calls.length}`, costUsd: this.costUsd, metrics: { inputTokens: 3, outputTokens: 4 } };
	}
}

describe.each(backends())('hosted runs on $name', ({ open }) => {
	const bed = engineBed(open);
	const { network, invocations, run: runRow, feedRun } = bed;
	let db: Db;
	let ownerId: string;
	beforeAll(() => ({ db, userId: ownerId } = bed));
	const keysOf = new Map<string, PlatformId[]>();
	const customModels = new Map<string, ModelInfo>();
	let replicate: ScriptedPlatform;
	let openai: ScriptedPlatform;

	function boot() {
		replicate = new ScriptedPlatform('replicate');
		openai = new ScriptedPlatform('openai');
		const catalogue = new Catalogue([
			...Catalogue.builtIn().list(),
			hostedModel('replicate/test/echo', 'replicate'),
			hostedModel('openai/test-chat', 'openai')
		]);
		return bed.boot({
			catalogue,
			platforms: builtInPlatforms([replicate, openai]),
			revealKey: async (userId, platform) => (keysOf.get(userId)?.includes(platform) ? `key-${platform}-${userId}` : null),
			keyPlatforms: async (userId) => keysOf.get(userId) ?? [],
			models: { resolve: async (id) => catalogue.get(id) ?? customModels.get(id) },
			retry: { baseDelayMs: 1, maxDelayMs: 5 },
			log: { error() {} }
		});
	}

	const loop = loopGraph;
	const fast = { pacing: { fixedMs: 5 } } satisfies RunSettingsInput;
	const ended = async (runId: string) => (await runRow(runId)).status !== 'running';

	afterEach(() => {
		keysOf.clear();
		customModels.clear();
	});

	test('a run that needs keys the owner lacks is refused before it starts, naming them', async () => {
		const { engine, rooms } = boot();
		keysOf.set(ownerId, ['replicate']);
		const graph: Graph = {
			nodes: [
				{ id: 'a', modelId: 'replicate/test/echo', x: 0, y: 0 },
				{ id: 'b', modelId: 'openai/test-chat', x: 100, y: 0 },
				{ id: 'c', modelId: 'local/distil', x: 200, y: 0 }
			],
			edges: [{ id: 'ab', source: 'a', target: 'b' }],
			startNodeId: 'a'
		};
		const id = await network(graph, fast, rooms);
		expect(await engine.missingKeys(id, ownerId)).toEqual(['openai']);
		const error = await engine.start(id, { kind: 'text', text: 'hi' }, ownerId).catch((e) => e);
		expect(error).toBeInstanceOf(AppError);
		expect(error.status).toBe(400);
		expect(error.message).toBe(
			'This network runs OpenAI models, but its owner has no OpenAI key saved. The owner can add it under Account → Keys.'
		);
		expect(error.details).toEqual({ missingKeys: ['openai'] });
		expect(await db.selectFrom('runs').select('id').where('network_id', '=', id).execute()).toEqual([]);
		expect(replicate.calls).toEqual([]);

		// Nodes a run cannot reach from the start do not need keys.
		const unreachable = await network({ ...graph, edges: [] }, fast, rooms);
		expect(await engine.missingKeys(unreachable, ownerId)).toEqual([]);
	});

	test("a refused key stops the run with the reason, even when errors would otherwise be skipped", async () => {
		const { engine, rooms } = boot();
		keysOf.set(ownerId, ['replicate']);
		const id = await network(loop('replicate/test/echo', 'replicate/test/echo'), { ...fast, onError: 'continue' }, rooms);
		replicate.script = [
			(input) => input,
			() => {
				throw new PlatformError("The network owner's Replicate key was refused (401).", { kind: 'auth', status: 401 });
			}
		];
		const { runId } = await engine.start(id, { kind: 'text', text: 'hi' }, ownerId);
		await until('the run to end', () => ended(runId));
		expect(replicate.calls.map((c) => c.key)).toEqual([`key-replicate-${ownerId}`, `key-replicate-${ownerId}`]);
		expect(await runRow(runId)).toMatchObject({
			status: 'failed',
			stop_cause: 'error',
			error: "The network owner's Replicate key was refused (401)."
		});
		const rows = await invocations(runId);
		expect(rows.map((r) => [r.state, r.attempts])).toEqual([
			['completed', 1],
			['failed', 1]
		]);
		await until('the feed to show the error', async () => (await feedRun(rooms, id)).status === 'failed');
		expect(await feedRun(rooms, id)).toMatchObject({ stopCause: 'error', error: "The network owner's Replicate key was refused (401)." });
	});

	test('a safety refusal is retried once with a harmless prompt; a second refusal fails the step', async () => {
		const { engine, rooms } = boot();
		keysOf.set(ownerId, ['replicate']);
		const refuse = () => {
			throw new PlatformError('refused', { kind: 'safety' });
		};
		replicate.script = [refuse, (input) => input, refuse, refuse];
		const id = await network(loop('replicate/test/echo', 'replicate/test/echo'), { ...fast, onError: 'stop' }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'something dark' }, ownerId);
		await until('the run to end', () => ended(runId));
		expect(replicate.calls.map((c) => (c.input.kind === 'text' ? c.input.text : c.input.kind))).toEqual([
			'something dark',
			SAFETY_FALLBACK_PROMPT,
			SAFETY_FALLBACK_PROMPT,
			SAFETY_FALLBACK_PROMPT
		]);
		const rows = await invocations(runId);
		expect(rows[0]).toMatchObject({ state: 'completed', attempts: 1, metrics: { safetyFallback: 1, inputTokens: 3, outputTokens: 4 } });
		expect(rows[0].output).toEqual({ kind: 'text', text: SAFETY_FALLBACK_PROMPT });
		expect(rows[1]).toMatchObject({ state: 'failed', attempts: 1 });
		expect(rows[1].error).toMatch(/refused the input on safety grounds, and refused a harmless fallback too/);
		expect(await runRow(runId)).toMatchObject({ stop_cause: 'error', error: rows[1].error });
	});

	test('costs and metrics are recorded per invocation, shown as spend, and a dollar budget stops the run', async () => {
		const { engine, rooms } = boot();
		keysOf.set(ownerId, ['replicate']);
		const id = await network(loop('replicate/test/echo', 'replicate/test/echo'), { ...fast, budgets: { maxSpendUsd: 0.035 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'hi' }, ownerId);
		await until('the run to end', () => ended(runId));
		expect(await runRow(runId)).toMatchObject({ status: 'stopped', stop_cause: 'budget', error: null });
		const rows = await invocations(runId);
		const completed = rows.filter((r) => r.state === 'completed');
		// Spend is checked before each start: 0.01 × 4 ≥ 0.035, with at most maxConcurrent in flight past it.
		expect(completed.length).toBeGreaterThanOrEqual(4);
		expect(completed.length).toBeLessThanOrEqual(5);
		expect(completed.every((r) => Number(r.cost_estimate) === 0.01 && r.provider_request_id?.startsWith('req-'))).toBe(true);
		expect(completed[0].metrics).toEqual({ inputTokens: 3, outputTokens: 4 });
		const spend = await engine.reader.spend([runId]);
		expect(spend.get(runId)).toBeCloseTo(completed.length * 0.01, 10);
		expect(await engine.reader.networkSpend(id)).toBeCloseTo(completed.length * 0.01, 10);
		const feed = await feedRun(rooms, id);
		expect(feed.spendUsd).toBeCloseTo(completed.length * 0.01, 10);
	});

	test('a model added by name resolves for the run and is kept on the run for a resume', async () => {
		const { engine, rooms } = boot();
		keysOf.set(ownerId, ['replicate']);
		const custom = { ...hostedModel('replicate/someone/custom', 'replicate'), replicate: { model: 'someone/custom', inputField: 'prompt' } };
		customModels.set(custom.id, custom);
		const id = await network(loop('replicate/someone/custom', 'replicate/test/echo'), { ...fast, budgets: { maxInvocations: 3 } }, rooms);
		const { runId } = await engine.start(id, { kind: 'text', text: 'hi' }, ownerId);
		await until('the run to end', () => ended(runId));
		expect(replicate.calls.map((c) => c.model)).toEqual(['replicate/someone/custom', 'replicate/test/echo', 'replicate/someone/custom']);
		const { graph } = await runRow(runId);
		expect((graph as { models: Record<string, unknown> }).models).toEqual({ [custom.id]: custom });

		// Unknown models are refused at the start, by name.
		const unknown = await network(loop('replicate/nobody/nothing', 'replicate/test/echo'), fast, rooms);
		await expect(engine.start(unknown, { kind: 'text', text: 'hi' }, ownerId)).rejects.toThrow(/replicate\/nobody\/nothing is not available/);
	});
});
