import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAvailable, startCluster, type TestCluster } from '../helpers/cluster';
import { loopGraph } from '../helpers/graphs';
import { runsAs } from '../helpers/runs';
import { ApiClient } from '../helpers/server';
import { readSse } from '../helpers/sse';
import { until } from '../helpers/wait';

const PHONES = 300;
const STEPS = 40;

interface FeedCard {
	id: string;
	runId: string;
	seq: number;
}

/**
 * One phone's view of the feed as the phone page keeps it: cards from live events, and from the
 * snapshot it gets on every (re)connect, by id. When its process dies it reconnects elsewhere.
 */
class Phone {
	readonly cards = new Map<string, FeedCard>();
	order: string[] = [];
	reconnects = 0;
	private ended: Promise<void> = Promise.resolve();
	private cancel: (() => Promise<void>) | null = null;

	constructor(private client: ApiClient) {}

	async connect(url: string): Promise<void> {
		const cookies = this.client.cookies;
		this.client = new ApiClient(url);
		this.client.cookies = cookies;
		const res = await this.client.request('GET', `/api/networks/${networkId}/feed?cards=50`);
		if (res.status !== 200 || !res.body) throw new Error(`feed refused: ${res.status}`);
		const sse = readSse(res.body);
		let seen = 0;
		const pump = setInterval(() => {
			for (; seen < sse.events.length; seen++) {
				const { event, data } = sse.events[seen];
				if (event === 'snapshot') for (const card of data.cards as FeedCard[]) this.take(card);
				if (event === 'card') this.take(data as FeedCard);
			}
		}, 10);
		this.cancel = () => sse.cancel().catch(() => {});
		this.ended = sse.done.finally(() => clearInterval(pump));
	}

	private take(card: FeedCard) {
		if (this.cards.has(card.id)) return;
		this.cards.set(card.id, card);
		this.order.push(card.id);
	}

	/** Resolves when the stream ends (its process died, or we closed it). */
	get done() {
		return this.ended;
	}

	close() {
		return this.cancel?.();
	}
}

let networkId = '';

// The "phones across processes": 300 SSE phones spread over all processes receive every
// card of a run, in order, including the phones whose process was killed.
describe.skipIf(!clusterAvailable())('phones across processes', () => {
	let cluster: TestCluster;
	beforeAll(async () => {
		cluster = await startCluster({
			processes: 3,
			env: {
				// 300 phones from one test address, a third on each process.
				PANIC_STREAMS_PER_ADDRESS_ANONYMOUS: '1000',
				PANIC_STREAMS_PER_ADDRESS: '1000',
				PANIC_STREAMS_PER_NETWORK: '1000'
			}
		});
	}, 180_000);
	afterAll(() => cluster?.dispose());

	it('300 phones on three processes get every card in order; those on a killed process reconnect and catch up', async () => {
		const [first] = cluster.processes;
		const owner = new ApiClient(first.url);
		await owner.json('POST', '/api/auth/signup', { email: 'host@example.org', password: 'host password' });
		// A paced loop of two dummy models with a step budget.
		networkId = await runsAs(owner).network(loopGraph('dummy/echo', 'dummy/upper'), { pacing: { fixedMs: 150 }, budgets: { maxInvocations: STEPS } }, 'Hall');
		const code = (await owner.json('POST', `/api/networks/${networkId}/join-codes`)).body.code;

		// Phones join through any process (the audience cookie works on all of them) and watch one each, round-robin.
		const phones: Phone[] = [];
		for (let i = 0; i < PHONES; i += 50) {
			phones.push(
				...(await Promise.all(
					Array.from({ length: 50 }, async (_, j) => {
						const url = cluster.processes[(i + j) % 3].url;
						const client = new ApiClient(url);
						expect((await client.json('POST', `/api/join/${code}`)).status).toBe(200);
						const phone = new Phone(client);
						await phone.connect(url);
						return phone;
					})
				))
			);
		}

		const { runId } = (await owner.json('POST', `/api/networks/${networkId}/runs`, { input: 'hello hall' })).body;
		const db = new pg.Client({ connectionString: cluster.databaseUrl });
		await db.connect();
		try {
			const completed = async () =>
				Number((await db.query(`select count(*) from invocations where run_id = $1 and state = 'completed'`, [runId])).rows[0].count);
			await until('a third of the run', async () => (await completed()) >= STEPS / 3, 60_000);

			// Kill a process that does not hold the run: its phones lose their streams and reconnect elsewhere.
			const holder = await holderIndex(db, runId, cluster);
			const victim = (holder + 1) % 3;
			const survivor = cluster.processes[(holder + 2) % 3].url;
			const orphans = phones.filter((_, i) => i % 3 === victim);
			await cluster.kill(victim);
			await Promise.all(
				orphans.map(async (phone) => {
					await phone.done;
					phone.reconnects++;
					await phone.connect(survivor);
				})
			);

			await until('the run to end', async () => {
				const row = (await db.query(`select status from runs where id = $1`, [runId])).rows[0];
				return row.status !== 'running';
			}, 60_000);
			const expected = (
				await db.query(`select id, seq from invocations where run_id = $1 and state = 'completed' order by seq`, [runId])
			).rows.map((r) => r.id as string);
			expect(expected.length).toBe(STEPS);

			await until('every phone to hold every card', () => phones.every((p) => expected.every((id) => p.cards.has(id))), 30_000);
			// Every phone holds exactly the run's cards, and in the order of the run: live cards come in
			// order, and a reconnect's snapshot only adds what was missed meanwhile, all newer.
			for (const phone of phones) {
				const ofRun = phone.order.filter((id) => phone.cards.get(id)!.runId === runId);
				expect(new Set(ofRun)).toEqual(new Set(expected));
				const seqs = ofRun.map((id) => phone.cards.get(id)!.seq);
				expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
			}
			expect(orphans.length).toBe(PHONES / 3);
			expect(orphans.every((p) => p.reconnects === 1)).toBe(true);
		} finally {
			await Promise.all(phones.map((p) => p.close()));
			await db.end();
		}
	}, 180_000);
});

/** Which process holds the run's lease: `runs.lease_holder` is `host:pid:nonce`. */
async function holderIndex(db: pg.Client, runId: string, cluster: TestCluster): Promise<number> {
	const holder: string | null = (await db.query(`select lease_holder from runs where id = $1`, [runId])).rows[0]?.lease_holder;
	const index = cluster.processes.findIndex((p) => holder?.split(':')[1] === String(p.process.pid));
	if (index < 0) throw new Error(`Cannot tell which process holds run ${runId} (holder ${holder ?? 'none'}).`);
	return index;
}
