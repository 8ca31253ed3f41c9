import { describe, expect, test } from 'vitest';
import { PlatformError, type AvailabilityAnswer, type Platform, type PlatformRegistry } from '../platform';
import type { ModelInfo, PlatformId } from '../../shared/platforms/types';
import { AvailabilityService, type AvailabilityDeps } from './service';
import type { AvailabilityStore, PlatformRecord, StoredAnswer } from './store';

const model = (id: string, platform: PlatformId, extra: Partial<ModelInfo> = {}): ModelInfo => ({
	id,
	platform,
	name: id.split('/').pop()!,
	input: 'text',
	output: 'text',
	description: '',
	homepage: '',
	defaults: {},
	...extra
});

const GPT = model('openai/gpt-x', 'openai');
const OLD = model('openai/old', 'openai');
const RETIRED = model('openai/retired', 'openai', { retires: '2020-01-01' });
const SOON = model('openai/soon', 'openai', { retires: '2099-01-01' });
const LOCAL = model('local/paint', 'local');

/** A store in memory, as the table behaves. */
class MemoryStore implements AvailabilityStore {
	rows = new Map<string, PlatformRecord>();
	async load(userId: string) {
		return [...this.rows].filter(([k]) => k.startsWith(`${userId}|`)).map(([, r]) => structuredClone(r));
	}
	async save(userId: string, record: PlatformRecord) {
		this.rows.set(`${userId}|${record.platform}`, structuredClone(record));
	}
	async mark(userId: string, platform: string, modelId: string, answer: StoredAnswer) {
		const row = this.rows.get(`${userId}|${platform}`) ?? { platform, checkedAt: null, error: null, answers: {} };
		row.answers[modelId] = answer;
		this.rows.set(`${userId}|${platform}`, row);
	}
	async clear(userId: string, platform: string) {
		this.rows.delete(`${userId}|${platform}`);
	}
}

/** A stub OpenAI platform whose answers (or failure) the test sets; counts its calls. */
function stubPlatform() {
	const stub = {
		calls: 0,
		keys: [] as string[],
		gone: new Map<string, string>([['openai/old', 'OpenAI no longer serves old']]),
		fail: null as Error | null,
		hang: false,
		release: () => {},
		platform: null as unknown as Platform
	};
	stub.platform = {
		id: 'openai',
		needsKey: true,
		invoke: async () => ({ output: { kind: 'text', text: '' } }),
		async checkAvailability(entries, { key }) {
			stub.calls++;
			stub.keys.push(key);
			if (stub.hang) await new Promise<void>((resolve) => (stub.release = resolve));
			if (stub.fail) throw stub.fail;
			return new Map<string, AvailabilityAnswer>(
				entries.map((e) => [e.id, stub.gone.has(e.id) ? { available: false, reason: stub.gone.get(e.id) } : { available: true }])
			);
		}
	};
	return stub;
}

function setup(overrides: Partial<AvailabilityDeps> = {}) {
	const stub = stubPlatform();
	const store = new MemoryStore();
	const clock = { now: Date.parse('2026-11-01T12:00:00Z') };
	const keys = new Map<string, string>([['alice|openai', 'sk-alice-1']]);
	const local: Platform = { id: 'local', needsKey: false, invoke: async () => ({ output: { kind: 'text', text: '' } }) };
	const platforms: PlatformRegistry = new Map<PlatformId, Platform>([
		['openai', stub.platform],
		['local', local]
	]);
	const deps: AvailabilityDeps = {
		store,
		platforms,
		entries: async () => [GPT, OLD, RETIRED, SOON, LOCAL],
		keyPlatforms: async (userId) => (['openai'] as PlatformId[]).filter((p) => keys.has(`${userId}|${p}`)),
		revealKey: async (userId, platform) => keys.get(`${userId}|${platform}`) ?? null,
		now: () => clock.now,
		...overrides
	};
	const service = new AvailabilityService(deps);
	return { service, stub, store, clock, keys, deps };
}

describe('AvailabilityService', () => {
	test('asks once with the user\'s key, then answers from the cache (also after a restart)', async () => {
		const { service, stub, clock, deps } = setup();
		const first = await service.view('alice');
		expect(first.models['openai/gpt-x']).toEqual({ state: 'unchecked' }); // asked in the background
		await service.idle();
		expect(stub.calls).toBe(1);
		expect(stub.keys).toEqual(['sk-alice-1']);

		const view = await service.view('alice');
		expect(view.models['openai/gpt-x']).toMatchObject({ state: 'available', checkedAt: '2026-11-01T12:00:00.000Z' });
		expect(view.models['openai/old']).toMatchObject({ state: 'unavailable', reason: 'OpenAI no longer serves old' });
		expect(view.platforms.openai).toEqual({ canCheck: true, checkedAt: '2026-11-01T12:00:00.000Z' });
		// Built-in models have nothing to ask: unchecked, and no platform row for them.
		expect(view.models['local/paint']).toEqual({ state: 'unchecked' });
		expect(view.platforms.local).toBeUndefined();

		// A new service on the same store (a restart) does not ask again.
		clock.now += 60 * 60 * 1000;
		const restarted = new AvailabilityService(deps);
		expect((await restarted.view('alice')).models['openai/gpt-x'].state).toBe('available');
		await restarted.idle();
		expect(stub.calls).toBe(1);
	});

	test('answers older than a day are asked again when someone looks', async () => {
		const { service, stub, clock } = setup({ maxAgeMs: 24 * 60 * 60 * 1000 });
		await service.view('alice');
		await service.idle();
		clock.now += 23 * 60 * 60 * 1000;
		await service.view('alice');
		await service.idle();
		expect(stub.calls).toBe(1);
		clock.now += 2 * 60 * 60 * 1000;
		stub.gone.set('openai/gpt-x', 'gone now');
		await service.view('alice');
		await service.idle();
		expect(stub.calls).toBe(2);
		expect((await service.view('alice')).models['openai/gpt-x']).toMatchObject({ state: 'unavailable', reason: 'gone now' });
	});

	test('"Check now" asks at once, and again only after a minute (429 with the wait)', async () => {
		const { service, stub, clock } = setup({ checkEveryMs: 60_000 });
		const view = await service.check('alice');
		expect(stub.calls).toBe(1);
		expect(view.models['openai/gpt-x'].state).toBe('available');
		clock.now += 20_000;
		await expect(service.check('alice', 'openai')).rejects.toMatchObject({ status: 429, details: { retryAfterSeconds: 40 } });
		clock.now += 40_000;
		await service.check('alice', 'openai');
		expect(stub.calls).toBe(2);
	});

	test('one check per user and platform in flight: callers share it', async () => {
		const { service, stub } = setup();
		stub.hang = true;
		await service.view('alice'); // starts one in the background
		await service.view('alice');
		const demanded = service.check('alice', 'openai');
		await new Promise((r) => setTimeout(r, 10));
		expect(stub.calls).toBe(1);
		expect((await service.view('alice')).platforms.openai.checking).toBe(true);
		stub.release();
		await demanded;
		expect(stub.calls).toBe(1);
	});

	test('a failed check records "could not check" and leaves models unchecked, not unavailable', async () => {
		const { service, stub } = setup();
		stub.fail = new PlatformError('The OpenAI key was refused (401).', { kind: 'auth', status: 401 });
		const view = await service.check('alice');
		expect(view.platforms.openai.error).toBe('could not check: The OpenAI key was refused (401)');
		expect(view.models['openai/gpt-x']).toEqual({ state: 'unchecked', reason: 'could not check: The OpenAI key was refused (401)' });
		expect(view.models['openai/old'].state).toBe('unchecked');
	});

	test('provider text never passes through: a failure that is not a PlatformError gets PANIC\'s words', async () => {
		const { service, stub } = setup();
		stub.fail = new Error('Incorrect API key provided: sk-ali***');
		const view = await service.check('alice');
		expect(view.platforms.openai.error).toBe('could not check: OpenAI gave an answer PANIC could not understand');
	});

	test('a provider that does not answer in time is given up on', async () => {
		const { service, stub } = setup({ timeoutMs: 30 });
		stub.hang = true;
		const view = await service.check('alice');
		expect(view.platforms.openai.error).toBe('could not check: OpenAI did not answer within 0 seconds');
		expect(view.models['openai/gpt-x'].state).toBe('unchecked');
	});

	test('without a key, or on a platform that cannot ask, models stay unchecked and nothing is asked', async () => {
		const { service, stub } = setup();
		const view = await service.view('bob');
		await service.idle();
		expect(stub.calls).toBe(0);
		expect(view.models['openai/gpt-x']).toEqual({ state: 'unchecked' });
		expect(view.platforms.openai).toEqual({ canCheck: false });
		await expect(service.check('bob', 'openai')).rejects.toMatchObject({ status: 400 });
		await expect(service.check('alice', 'local')).rejects.toMatchObject({ status: 400 });
	});

	test('a step that found its model gone marks it unavailable at once, until the next check', async () => {
		const { service, stub, clock } = setup();
		await service.check('alice');
		await service.modelGone('alice', GPT, 'OpenAI no longer serves gpt-x.');
		const view = await service.view('alice');
		expect(view.models['openai/gpt-x']).toMatchObject({ state: 'unavailable', reason: 'OpenAI no longer serves gpt-x.' });
		expect(await service.unavailable('alice', [GPT, LOCAL])).toEqual([{ model: GPT, reason: 'OpenAI no longer serves gpt-x.' }]);
		// Another owner's cache is untouched.
		expect(await service.unavailable('bob', [GPT])).toEqual([]);
		clock.now += 61_000;
		await service.check('alice');
		expect(stub.calls).toBe(2);
		expect((await service.view('alice')).models['openai/gpt-x'].state).toBe('available');
	});

	test('a model past its shutdown date is unavailable without asking anyone', async () => {
		const { service, stub } = setup();
		const view = await service.view('bob');
		expect(view.models['openai/retired']).toEqual({ state: 'unavailable', reason: 'shut down on 2020-01-01' });
		expect(view.models['openai/soon'].state).toBe('unchecked');
		expect(await service.unavailable('bob', [RETIRED, SOON])).toEqual([{ model: RETIRED, reason: 'shut down on 2020-01-01' }]);
		expect(stub.calls).toBe(0);
	});

	test('a saved key is checked with at once; saves within a minute wait, then check once', async () => {
		const { service, stub, keys, clock } = setup({ checkEveryMs: 50 });
		service.keySaved('alice', 'openai');
		await service.idle();
		expect(stub.keys).toEqual(['sk-alice-1']);
		keys.set('alice|openai', 'sk-alice-2');
		service.keySaved('alice', 'openai');
		service.keySaved('alice', 'openai');
		await service.idle();
		expect(stub.calls).toBe(1);
		clock.now += 50;
		await new Promise((r) => setTimeout(r, 80));
		await service.idle();
		expect(stub.keys).toEqual(['sk-alice-1', 'sk-alice-2']);
		service.close();
	});

	test('removing the key forgets what it was told', async () => {
		const { service, keys } = setup();
		await service.check('alice');
		keys.delete('alice|openai');
		await service.keyRemoved('alice', 'openai');
		const view = await service.view('alice');
		expect(view.models['openai/old']).toEqual({ state: 'unchecked' });
		expect(view.platforms.openai).toEqual({ canCheck: false });
	});
});
