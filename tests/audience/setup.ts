import { Audience } from '../../server/audience/audience';
import type { QueueEngine } from '../../server/audience/scheduler';
import { EngineEvents } from '../../server/engine/events';
import type { AudienceSettingsInput } from '../../server/audience/settings';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Db } from '../../server/db/connect';
import { badRequest } from '../../server/errors';
import type { ConnectionAdmission } from '../../server/http/connection-admission';
import { randomId } from '../../server/ids';
import { Networks } from '../../server/networks/networks';
import { SyncRooms } from '../../server/sync/rooms';
import { KyselyUpdateStore } from '../../server/sync/store';
import type { TestDatabase } from '../helpers/databases';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function until(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await sleep(10);
	}
}

/**
 * A stand-in for the engine's `{ start, lockoutSeconds }`: records starts (with a real runs row,
 * since prompts reference it), and holds a lockout of `lockoutMs` after each start.
 */
export class FakeEngine implements QueueEngine {
	starts: Array<{ networkId: string; text: string; startedBy: string | null; at: number }> = [];
	lastStart = new Map<string, number>();
	/** Texts the "network" refuses, as the engine does when there is no start node. */
	refuse = new Set<string>();
	/** No run goes (so none pauses or ends): the queue waits on nothing but the lockout. */
	readonly events = new EngineEvents();
	constructor(
		private db: Db,
		public lockoutMs = 0
	) {}
	async start(networkId: string, input: { kind: string; text?: string }, startedBy: string | null) {
		if (this.refuse.has(input.text!)) throw badRequest('Pick a start node first: the network has none.');
		const runId = randomId();
		// A new run replaces the running one, as the engine does (one running run per network).
		await this.db
			.updateTable('runs')
			.set({ status: 'stopped', stop_cause: 'replaced', ended_at: new Date() })
			.where('network_id', '=', networkId)
			.where('status', '=', 'running')
			.execute();
		await this.db
			.insertInto('runs')
			.values({ id: runId, network_id: networkId, started_by: startedBy, input: JSON.stringify(input), settings: '{}', graph: '{}' })
			.execute();
		this.starts.push({ networkId, text: input.text!, startedBy, at: Date.now() });
		this.lastStart.set(networkId, Date.now());
		return { runId };
	}
	activeRun() {
		return null;
	}
	lockoutSeconds(networkId: string) {
		const last = this.lastStart.get(networkId);
		return last === undefined ? 0 : Math.max(0, (last + this.lockoutMs - Date.now()) / 1000);
	}
}

export async function createUser(db: Db, email = `${randomId(6)}@example.org`) {
	const id = randomId();
	const created_at = new Date();
	await db.insertInto('users').values({ id, email, password_hash: 'x', created_at }).execute();
	return { id, email, is_admin: false, created_at, display_name: null };
}

/** A fresh Audience over `db` with a fake engine, real networks and real sync rooms. */
export function boot(
	db: Db,
	options: {
		lockoutMs?: number;
		joinsPerMinute?: { perCode: number; perNetwork: number };
		joinsPerAddress?: { burst: number; perMinute: number };
		writes?: { atOnce: number; waiting: number };
		codeGuessesPerMinute?: number;
		now?: () => number;
		admission?: ConnectionAdmission;
	} = {}
) {
	const networks = new Networks(db);
	const rooms = new SyncRooms({ store: new KyselyUpdateStore(db), log: { warn() {}, error: console.error } });
	const engine = new FakeEngine(db, options.lockoutMs ?? 0);
	const audience = new Audience({
		db,
		networks,
		engine,
		rooms,
		joinsPerMinute: options.joinsPerMinute,
		admission: options.admission,
		joinsPerAddress: options.joinsPerAddress,
		writes: options.writes,
		codeGuessesPerMinute: options.codeGuessesPerMinute,
		now: options.now,
		scheduler: { minGapMs: 0, retryMs: 50 },
		feed: { queueDebounceMs: 10 },
		log: { error: (...a: unknown[]) => (process.env.DEBUG_AUDIENCE ? console.error(...a) : undefined) }
	});
	return {
		networks,
		rooms,
		engine,
		audience,
		async network(owner: { id: string; is_admin: boolean }, settings: AudienceSettingsInput = {}) {
			const { id } = await networks.create(owner, 'Event');
			if (Object.keys(settings).length) await networks.update(id, owner, { audience: settings });
			return id;
		},
		async close() {
			await audience.close();
			await rooms.close();
		}
	};
}

/**
 * A suite's database, its owner and the Audience instances its tests boot (closed after each
 * test), with the hooks registered in the calling `describe`. Fields are set in `beforeAll`.
 */
export function audienceSuite(open: () => Promise<TestDatabase>) {
	const booted: Array<ReturnType<typeof boot>> = [];
	let database: TestDatabase | undefined;
	const suite = {
		db: undefined as unknown as Db,
		owner: undefined as unknown as Awaited<ReturnType<typeof createUser>>,
		boot(options?: Parameters<typeof boot>[1]) {
			const app = boot(suite.db, options);
			booted.push(app);
			return app;
		}
	};
	beforeAll(async () => {
		database = await open();
		suite.db = database.db;
		suite.owner = await createUser(suite.db);
	});
	afterEach(async () => {
		for (const app of booted.splice(0)) await app.close();
	});
	afterAll(() => database?.close());
	return suite;
}
