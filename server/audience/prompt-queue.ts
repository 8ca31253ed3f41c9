import type { Db } from '../db/connect';
import type { Networks } from '../networks/networks';
import type { PromptStatus } from '../db/schema';
import { displayName } from '../auth/display-name';
import { MemoryRateLimits, type RateLimit, type RateLimits } from '../cluster/counters';
import { badRequest, notFound, tooManyRequests } from '../errors';
import { randomId } from '../ids';
import { OneAtATime } from '../one-at-a-time';
import { blocklistMatcher, cleanPrompt } from './prompt-text';
import { admitPrompt, type AuthorShare } from './queue-share';
import type { AudienceSettings } from './settings';
import { ArrivalClock } from '../arrival-clock';

/**
 * The prompt queue: prompts from the audience (and members) waiting for their turn to start a
 * run. Rows live in `prompts`; this class owns every status change:
 *
 *   queued ──approve──▶ approved ──scheduler──▶ started (run_id set)
 *     │ └──────────────── auto mode ──────────────┘  │
 *     ├─ reject / start refused ─▶ rejected            └─ start refused ─▶ rejected
 *     ├─ withdraw (its author) ─▶ withdrawn
 *     └─ event ended / author removed / queue cleared / gave way in a full queue ─▶ dropped
 *
 * "Waiting" means queued or approved. Order is arrival order (created_at, then id). Each
 * audience member gets a fair share of the places (queue-share.ts).
 */
export type PromptAuthor = { kind: 'audience'; sessionId: string } | { kind: 'member'; userId: string };

export interface PromptView {
	id: string;
	text: string;
	status: PromptStatus;
	reason: string | null;
	runId: string | null;
	createdAt: Date;
	decidedAt: Date | null;
	/** 1 for the next to start; null once it is no longer waiting. */
	position: number | null;
	/** Who sent it, for facilitators: the audience label or the member's display name. */
	from?: string;
}

export interface QueueSummary {
	length: number;
	/** The text of the prompt that starts next (in moderated mode only an approved one is shown). */
	nextPrompt?: string;
}

/** What the scheduler takes from the queue. */
export interface StartablePrompt {
	id: string;
	text: string;
	status: 'queued' | 'approved';
	userId: string | null;
}

export interface PromptQueueDeps {
	db: Db;
	/**
	 * Runs `work` in a transaction holding the network's row lock (Networks.withRowLock): with
	 * several processes, two admissions for one network would otherwise both pass the fair-share
	 * check, and their arrival times could tie.
	 */
	lockNetwork: Networks['withRowLock'];
	settings(networkId: string): Promise<AudienceSettings>;
	/** Told after every change to a network's queue (the scheduler and the feed listen). */
	onChange?(networkId: string): void;
	/** Where each author's prompt rate is counted: in memory (default) or in Redis for a cluster. */
	rates?: RateLimits;
	now?: () => number;
}

const WAITING: PromptStatus[] = ['queued', 'approved'];
const HISTORY = 100;
/** What a phone reads on a prompt that gave its place to someone with fewer waiting. */
export const GAVE_WAY = 'The queue was full, so it made room for someone with fewer prompts waiting. Send it again later.';

export class PromptQueue {
	/** One limit per (burst, rate) a network configured; keys are `network:author`. */
	private readonly rates: RateLimits;
	/** Per network, one admission at a time: the fair-share check and its writes do not interleave. */
	private admitting = new OneAtATime();
	private readonly now: () => number;
	/** Arrival times that never tie, so the queue's order is the order prompts came in. */
	private readonly arrivals: ArrivalClock;

	constructor(private deps: PromptQueueDeps) {
		this.now = deps.now ?? Date.now;
		this.arrivals = new ArrivalClock(this.now);
		this.rates = deps.rates ?? new MemoryRateLimits(this.now);
	}

	/**
	 * Adds a prompt. Refusals, in this order: bad text (400), the author's rate (429, before the
	 * blocklist so the list cannot be probed quickly), the blocklist (400, without saying which
	 * word), the author's share of waiting prompts used up (429), a full queue with nobody holding
	 * more than their share (429). In a full queue, a prompt may take the place of the newest
	 * queued prompt of whoever holds the most (that one is dropped, saying why).
	 */
	async submit(networkId: string, author: PromptAuthor, raw: string): Promise<{ id: string; status: PromptStatus; position: number }> {
		const cleaned = cleanPrompt(raw);
		if (!cleaned.ok) throw badRequest(cleaned.error);
		const settings = await this.deps.settings(networkId);
		const limited = await this.limiter(settings).take(`${networkId}:${authorKey(author)}`);
		if (!limited.ok) {
			const seconds = Math.max(1, Math.ceil(limited.retryAfterMs / 1000));
			throw tooManyRequests(`You are sending prompts quickly. Try again in ${seconds} s.`, seconds);
		}
		if (blocklistMatcher(settings.blocklist)(cleaned.text)) {
			throw badRequest('This prompt was not accepted. Try different words.');
		}
		// One at a time in this process (the lock's transaction would otherwise queue the others'
		// queries behind it on PGlite's one connection), and across processes by the row lock.
		const admit = () => this.deps.lockNetwork(networkId, async (tx) => {
			const { shares, newestWaiting } = await this.shares(tx, networkId);
			const admission = admitPrompt(authorKey(author), author.kind === 'audience', shares, settings);
			if (!admission.admit && admission.reason === 'person') {
				throw tooManyRequests(
					`You have ${settings.maxWaitingPerPerson} prompt${settings.maxWaitingPerPerson === 1 ? '' : 's'} waiting already. Send another once one of them has started, or take one back.`,
					15
				);
			}
			if (!admission.admit) throw tooManyRequests('The queue is full right now. Try again in a minute.', 60);
			if (admission.evict) await this.giveWay(tx, networkId, admission.evict);
			const id = randomId();
			// After every waiting prompt, even one another process stamped this millisecond.
			const createdAt = this.arrivals.next(newestWaiting ?? undefined);
			await tx
				.insertInto('prompts')
				.values({
					id,
					network_id: networkId,
					audience_session_id: author.kind === 'audience' ? author.sessionId : null,
					user_id: author.kind === 'member' ? author.userId : null,
					text: cleaned.text,
					status: 'queued',
					created_at: createdAt
				})
				.execute();
			// The newest waiting prompt: behind everything that was waiting, less the one that gave way.
			let waiting = 0;
			for (const share of shares.values()) waiting += share.waiting;
			return { id, position: waiting - (admission.evict ? 1 : 0) + 1 };
		});
		const { id, position } = await this.admitting.run(networkId, admit);
		this.changed(networkId);
		return { id, status: 'queued', position };
	}

	/** What a facilitator sees: everything waiting, in order, and the latest decided prompts. */
	async forFacilitator(networkId: string): Promise<{ waiting: PromptView[]; recent: PromptView[] }> {
		const base = this.deps.db
			.selectFrom('prompts')
			.leftJoin('audience_sessions as s', 's.id', 'prompts.audience_session_id')
			.leftJoin('users as u', 'u.id', 'prompts.user_id')
			.selectAll('prompts')
			.select(['s.label', 'u.id as memberId', 'u.display_name'])
			.where('prompts.network_id', '=', networkId);
		const waiting = await base.where('prompts.status', 'in', WAITING).orderBy('prompts.created_at').orderBy('prompts.id').limit(5000).execute();
		const recent = await base
			.where('prompts.status', 'not in', WAITING)
			.orderBy('prompts.created_at', 'desc')
			.orderBy('prompts.id', 'desc')
			.limit(HISTORY)
			.execute();
		const from = (r: { label: string | null; memberId: string | null; display_name: string | null }) =>
			r.label ?? (r.memberId ? displayName({ id: r.memberId, display_name: r.display_name }) : 'someone who left');
		return {
			waiting: waiting.map((r, i) => ({ ...view(r, i + 1), from: from(r) })),
			recent: recent.map((r) => ({ ...view(r, null), from: from(r) }))
		};
	}

	/** An author's own prompts, newest first, with positions for the waiting ones. */
	async forAuthor(networkId: string, author: PromptAuthor): Promise<PromptView[]> {
		const rows = await this.deps.db
			.selectFrom('prompts')
			.selectAll()
			.where('network_id', '=', networkId)
			.where(author.kind === 'audience' ? 'audience_session_id' : 'user_id', '=', author.kind === 'audience' ? author.sessionId : author.userId)
			.orderBy('created_at', 'desc')
			.orderBy('id', 'desc')
			.limit(50)
			.execute();
		return Promise.all(rows.map(async (r) => view(r, WAITING.includes(r.status) ? await this.positionOf(networkId, r) : null)));
	}

	async approve(networkId: string, promptId: string): Promise<PromptView> {
		return this.decide(networkId, promptId, ['queued'], { status: 'approved' }, 'Only a queued prompt can be approved.');
	}

	async reject(networkId: string, promptId: string, reason?: string): Promise<PromptView> {
		return this.decide(networkId, promptId, WAITING, { status: 'rejected', reason: reason ?? 'Not chosen by the facilitator.' }, 'Only a waiting prompt can be rejected.');
	}

	/** The author takes back a prompt that has not started. */
	async withdraw(networkId: string, promptId: string, author: PromptAuthor): Promise<PromptView> {
		const row = await this.row(networkId, promptId);
		const mine = author.kind === 'audience' ? row?.audience_session_id === author.sessionId : row?.user_id === author.userId;
		if (!row || !mine) throw notFound('No such prompt of yours.');
		return this.decide(networkId, promptId, WAITING, { status: 'withdrawn' }, 'This prompt has already been decided.');
	}

	/** Drops waiting prompts: all of the network's, or those of some audience sessions. Returns how many. */
	async dropWaiting(networkId: string, reason: string, sessionIds?: string[]): Promise<number> {
		if (sessionIds && !sessionIds.length) return 0;
		let query = this.deps.db
			.updateTable('prompts')
			.set({ status: 'dropped', reason, decided_at: new Date(this.now()) })
			.where('network_id', '=', networkId)
			.where('status', 'in', WAITING);
		if (sessionIds) query = query.where('audience_session_id', 'in', sessionIds);
		const dropped = Number((await query.executeTakeFirst()).numUpdatedRows);
		if (dropped) this.changed(networkId);
		return dropped;
	}

	/** How long the queue is and what starts next, for the feed. */
	async summary(networkId: string): Promise<QueueSummary> {
		const { queueMode } = await this.deps.settings(networkId);
		const next = await this.next(networkId, queueMode);
		const length = await this.waitingCount(networkId);
		return next ? { length, nextPrompt: next.text } : { length };
	}

	// —— for the scheduler ——

	/** The prompt that starts next: the oldest waiting one (auto) or the oldest approved one (moderated). */
	async next(networkId: string, mode: AudienceSettings['queueMode']): Promise<StartablePrompt | undefined> {
		const row = await this.deps.db
			.selectFrom('prompts')
			.select(['id', 'text', 'status', 'user_id'])
			.where('network_id', '=', networkId)
			.where('status', 'in', mode === 'auto' ? WAITING : ['approved'])
			.orderBy('created_at')
			.orderBy('id')
			.limit(1)
			.executeTakeFirst();
		return row && { id: row.id, text: row.text, status: row.status as StartablePrompt['status'], userId: row.user_id };
	}

	/** Takes a prompt for starting; false if it was withdrawn, rejected or taken meanwhile. */
	async claim(prompt: StartablePrompt): Promise<boolean> {
		const result = await this.deps.db
			.updateTable('prompts')
			.set({ status: 'started', decided_at: new Date(this.now()) })
			.where('id', '=', prompt.id)
			.where('status', '=', prompt.status)
			.executeTakeFirst();
		return result.numUpdatedRows === 1n;
	}

	/** Gives a claimed prompt back (its start failed for a reason that may pass). */
	async unclaim(prompt: StartablePrompt): Promise<void> {
		await this.deps.db
			.updateTable('prompts')
			.set({ status: prompt.status, decided_at: null })
			.where('id', '=', prompt.id)
			.where('status', '=', 'started')
			.where('run_id', 'is', null)
			.execute();
	}

	async markStarted(networkId: string, promptId: string, runId: string): Promise<void> {
		await this.deps.db.updateTable('prompts').set({ run_id: runId }).where('id', '=', promptId).execute();
		this.changed(networkId);
	}

	async markRejected(networkId: string, promptId: string, reason: string): Promise<void> {
		await this.deps.db
			.updateTable('prompts')
			.set({ status: 'rejected', reason: reason.slice(0, 500), decided_at: new Date(this.now()) })
			.where('id', '=', promptId)
			.execute();
		this.changed(networkId);
	}

	/** Networks with waiting prompts (after a restart, their scheduling resumes). */
	async networksWaiting(): Promise<string[]> {
		const rows = await this.deps.db.selectFrom('prompts').select('network_id').distinct().where('status', 'in', WAITING).execute();
		return rows.map((r) => r.network_id);
	}

	private async decide(
		networkId: string,
		promptId: string,
		from: PromptStatus[],
		to: { status: PromptStatus; reason?: string },
		refusal: string
	): Promise<PromptView> {
		// The row as this decision left it: read back afterwards, the scheduler may already have
		// started an approved prompt, and the facilitator would be told something they did not do.
		const row = await this.deps.db
			.updateTable('prompts')
			.set({ ...to, decided_at: to.status === 'approved' ? null : new Date(this.now()) })
			.where('id', '=', promptId)
			.where('network_id', '=', networkId)
			.where('status', 'in', from)
			.returningAll()
			.executeTakeFirst();
		if (!row) {
			const current = await this.row(networkId, promptId);
			if (!current) throw notFound('No such prompt.');
			throw badRequest(refusal, { status: current.status });
		}
		this.changed(networkId);
		return view(row, WAITING.includes(row.status) ? await this.positionOf(networkId, row) : null);
	}

	private row(networkId: string, promptId: string) {
		return this.deps.db.selectFrom('prompts').selectAll().where('id', '=', promptId).where('network_id', '=', networkId).executeTakeFirst();
	}

	/**
	 * Who holds the waiting places, by author key: how many each, and when each last queued one;
	 * and when the newest waiting prompt of all arrived (ms), null when none waits.
	 */
	private async shares(db: Db, networkId: string): Promise<{ shares: Map<string, AuthorShare>; newestWaiting: number | null }> {
		const rows = await db
			.selectFrom('prompts')
			.select((eb) => ['audience_session_id', 'user_id', 'status', eb.fn.countAll<string>().as('n'), eb.fn.max('created_at').as('newest')])
			.where('network_id', '=', networkId)
			.where('status', 'in', WAITING)
			.groupBy(['audience_session_id', 'user_id', 'status'])
			.execute();
		const shares = new Map<string, AuthorShare>();
		let newestWaiting: number | null = null;
		for (const row of rows) {
			newestWaiting = Math.max(newestWaiting ?? 0, new Date(row.newest).getTime());
			// A host's prompts (user_id) never give way; nor do those of an account since deleted.
			const key = row.audience_session_id ? `a:${row.audience_session_id}` : row.user_id ? `u:${row.user_id}` : 'gone';
			const share = shares.get(key) ?? { waiting: 0, newestQueuedAt: null, audience: row.audience_session_id !== null };
			share.waiting += Number(row.n);
			if (row.status === 'queued') share.newestQueuedAt = new Date(row.newest).getTime();
			shares.set(key, share);
		}
		return { shares, newestWaiting };
	}

	/** The newest queued prompt of `key`'s audience session is dropped to make room. */
	private async giveWay(db: Db, networkId: string, key: string): Promise<void> {
		const victim = await db
			.selectFrom('prompts')
			.select('id')
			.where('network_id', '=', networkId)
			.where('audience_session_id', '=', key.slice('a:'.length))
			.where('status', '=', 'queued')
			.orderBy('created_at', 'desc')
			.orderBy('id', 'desc')
			.limit(1)
			.executeTakeFirst();
		if (!victim) return; // started meanwhile: its place is free anyway
		await db
			.updateTable('prompts')
			.set({ status: 'dropped', reason: GAVE_WAY, decided_at: new Date(this.now()) })
			.where('id', '=', victim.id)
			.where('status', '=', 'queued')
			.execute();
	}

	private async waitingCount(networkId: string): Promise<number> {
		const { n } = await this.deps.db
			.selectFrom('prompts')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('network_id', '=', networkId)
			.where('status', 'in', WAITING)
			.executeTakeFirstOrThrow();
		return Number(n);
	}

	/** 1 + how many waiting prompts arrived before this one. */
	private async positionOf(networkId: string, prompt: { id: string; created_at: Date }): Promise<number> {
		const { n } = await this.deps.db
			.selectFrom('prompts')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('network_id', '=', networkId)
			.where('status', 'in', WAITING)
			.where((eb) =>
				eb.or([eb('created_at', '<', prompt.created_at), eb.and([eb('created_at', '=', prompt.created_at), eb('id', '<', prompt.id)])])
			)
			.executeTakeFirstOrThrow();
		return Number(n) + 1;
	}

	private limiter(settings: AudienceSettings): RateLimit {
		// `burst` tokens, refilled at `promptsPerMinute`: the bucket refills fully in burst/rate minutes.
		return this.rates.rateLimit('prompts', settings.promptBurst, (settings.promptBurst / settings.promptsPerMinute) * 60_000);
	}

	private changed(networkId: string) {
		this.deps.onChange?.(networkId);
	}
}

const authorKey = (author: PromptAuthor) => (author.kind === 'audience' ? `a:${author.sessionId}` : `u:${author.userId}`);

function view(
	row: { id: string; text: string; status: PromptStatus; reason: string | null; run_id: string | null; created_at: Date; decided_at: Date | null },
	position: number | null
): PromptView {
	return {
		id: row.id,
		text: row.text,
		status: row.status,
		reason: row.reason,
		runId: row.run_id,
		createdAt: row.created_at,
		decidedAt: row.decided_at,
		position
	};
}
