import type { PublicUser } from '../auth/sessions';
import type { ControlBus } from '../cluster/bus';
import { MemoryRateLimits, type RateLimit, type RateLimits } from '../cluster/counters';
import type { Db } from '../db/connect';
import { ConnectionAdmission, type ConnectionGate } from '../http/connection-admission';
import { AppError, forbidden, notFound, tooManyRequests, unauthorized } from '../errors';
import { FairTurns } from '../fair-turns';
import { canEdit } from '../networks/access';
import type { Networks } from '../networks/networks';
import type { SessionMatch } from '../sync/session-match';
import {
	audiencePrincipal,
	authorizeRoom,
	connectionKey,
	feedRoomOf,
	kioskPrincipal,
	principalFor,
	REMOVED_MESSAGE,
	type Basis,
	type Credentials,
	type Principal
} from '../networks/room-access';
import { AudienceBroadcast, feedCloseMatch, type FeedClose } from './broadcast';
import { FeedStreams, type FeedStreamOptions, type FeedStreamRooms, type FeedViewer } from './feed-stream';
import { JoinCodes, type CodeCheck, type JoinCodeInfo } from './join-codes';
import { PromptQueue, type PromptAuthor } from './prompt-queue';
import { PromptScheduler, type QueueEngine, type SchedulerOptions } from './scheduler';
import { AudienceSessions, type AudienceSession } from './sessions';
import { resolveAudienceSettings, type AudienceSettings } from './settings';

/**
 * The audience side of a network, as the API sees it: join codes, audience sessions, the
 * prompt queue and its scheduler, the SSE feed, and who may do what with them. Routes call
 * this; the parts it composes (one file per concern beside it) know nothing of roles.
 */
export interface AudienceDeps {
	db: Db;
	networks: Networks;
	engine: QueueEngine;
	rooms: FeedStreamRooms & {
		disconnect(names: string[], match: SessionMatch, reason?: string): Promise<number>;
	};
	now?: () => number;
	log?: { error(message: string, ...details: unknown[]): void };
	/** Joins allowed per minute, per code and per network (not per IP: a venue shares one NAT). */
	joinsPerMinute?: { perCode: number; perNetwork: number };
	/**
	 * Joins one address may make to one network: `burst` at once, then `perMinute`. Sized for a
	 * whole venue behind one address; it bounds how many sessions (each a share of the queue)
	 * one address can mint.
	 */
	joinsPerAddress?: { burst: number; perMinute: number };
	/**
	 * Joins and prompts handled at once (the rest wait their turn, round-robin per address),
	 * and how many may wait before more are refused with 503.
	 */
	writes?: { atOnce: number; waiting: number };
	/** Wrong codes one address may try per minute (typed or in a link) before it must wait. */
	codeGuessesPerMinute?: number;
	feed?: Partial<Omit<FeedStreamOptions, 'rooms' | 'queueSummary'>>;
	/** Caps on long-lived connections, shared with the sync upgrade (default: a private one with default limits). */
	admission?: ConnectionGate;
	/** Where join, code-guess and prompt counts live: in memory (default) or in Redis for a cluster. */
	rates?: RateLimits;
	/**
	 * In a cluster, the other processes: queue changes and streams to close go to them over the
	 * bus (this process acts at once and ignores its own messages). Absent: the single process.
	 */
	cluster?: { bus: ControlBus; processId: string };
	/** In a cluster, the feed streams every process holds open (counted in openFeed), for presence. */
	watchers?: Pick<ConnectionGate, 'admit'> & { totals(fields: string[]): Promise<number[]> };
	scheduler?: Partial<Pick<SchedulerOptions, 'retryMs' | 'maxAttempts' | 'minGapMs' | 'decides'>>;
}

/** Who is asking: a member session, an audience session, a kiosk screen, some of them or none. */
export type Sender = Credentials & { user: PublicUser | null; audience: AudienceSession | null };

const feedRoom = (networkId: string) => `${networkId}/feed`;

/** Why a feed stream ended, as its `closed` event tells the person watching. */
export const FEED_CLOSED = {
	memberRemoved: 'You were removed from this network.',
	madePrivate: 'This network is now private.',
	displayRemoved: 'This display was removed.',
	loggedOut: 'You were logged out.',
	eventEnded: 'The event has ended. Thank you for taking part!'
} as const;

/** Seconds a phone refused a seat (too many joining) waits before its page tries again. */
export const JOIN_RETRY_SECONDS = 5;

/** What an address that tried too many wrong codes is told (429). */
export const TOO_MANY_GUESSES = 'Too many tries — wait a minute, then check the code against the screen.';
export const TOO_MANY_GUESSES_REASON = 'too-many-tries';

/** How presence counts a viewer across processes: each audience session by itself, everyone else together. */
const watcherKey = (viewer: FeedViewer) => (viewer.kind === 'audience' ? `audience:${viewer.sessionId}` : viewer.kind);

/** The stream's viewer: what its access rests on, so taking that away (removal, going private, logout, a deleted screen) ends it. */
function feedViewer(principal: Principal, basis: Basis): FeedViewer {
	switch (principal.kind) {
		case 'kiosk':
			return { kind: 'kiosk', id: principal.screenId };
		case 'audience':
			return { kind: 'audience', sessionId: principal.sessionId };
		case 'anonymous':
			return { kind: 'public' };
		case 'user': {
			const login = { userId: principal.user.id, loginSession: principal.loginSession ?? undefined };
			return basis === 'member' ? { kind: 'member', ...login } : { kind: 'public', ...login };
		}
	}
}

export class Audience {
	readonly codes: JoinCodes;
	readonly sessions: AudienceSessions;
	readonly queue: PromptQueue;
	readonly scheduler: PromptScheduler;
	readonly feed: FeedStreams;
	private joinPerCode: RateLimit;
	private joinPerNetwork: RateLimit;
	private admission: ConnectionGate;

	private joinPerAddress: RateLimit;
	/** Wrong codes per address: codes are long enough that only a script guesses many. */
	private guessesPerAddress: RateLimit;
	/** Feed streams closed and queue changes, told to every process (broadcast.ts). */
	private shared: AudienceBroadcast;
	private remoteCloseListeners: Array<(close: FeedClose) => void> = [];
	/**
	 * Turns for joins and prompts. A burst of them (a venue scanning at once, or a flood) would
	 * otherwise queue all their queries in PGlite at once, ahead of everyone else's requests;
	 * taking turns per address, a few at a time, keeps that queue short.
	 */
	private writes: FairTurns;
	private maxWaitingWrites: number;

	constructor(private deps: AudienceDeps) {
		this.admission = deps.admission ?? new ConnectionAdmission();
		const now = deps.now ?? Date.now;
		const rates = deps.rates ?? new MemoryRateLimits(now);
		this.codes = new JoinCodes(deps.db, deps.networks, now);
		const lockNetwork: Networks['withRowLock'] = (id, work) => deps.networks.withRowLock(id, work);
		this.sessions = new AudienceSessions(deps.db, lockNetwork, now);
		this.queue = new PromptQueue({
			db: deps.db,
			lockNetwork,
			settings: (id) => this.settings(id),
			onChange: (id) => this.queueChanged(id),
			rates,
			now
		});
		this.scheduler = new PromptScheduler({
			queue: this.queue,
			engine: deps.engine,
			// A network deleted meanwhile has no prompts left either: treat it as idle.
			mode: (id) => this.settings(id).then((s) => s.queueMode, () => 'moderated' as const),
			log: deps.log,
			now,
			...deps.scheduler
		});
		this.feed = new FeedStreams({ rooms: deps.rooms, queueSummary: (id) => this.queue.summary(id), log: deps.log, ...deps.feed });
		// A symposium hall scanning at once is a few hundred joins a minute; the limits sit well
		// above that and only stop a script from minting sessions without end.
		const joins = deps.joinsPerMinute ?? { perCode: 1000, perNetwork: 2000 };
		this.joinPerCode = rates.rateLimit('join-code', joins.perCode, 60_000);
		this.joinPerNetwork = rates.rateLimit('join-network', joins.perNetwork, 60_000);
		const perAddress = deps.joinsPerAddress ?? { burst: 600, perMinute: 120 };
		this.joinPerAddress = rates.rateLimit('join-address', perAddress.burst, (perAddress.burst / perAddress.perMinute) * 60_000);
		const guesses = deps.codeGuessesPerMinute ?? 30;
		this.guessesPerAddress = rates.rateLimit('code-guesses', guesses, 60_000);
		this.shared = new AudienceBroadcast(deps.cluster, {
			queueChanged: (id) => this.queueChangedHere(id),
			closeFeeds: (close) => {
				this.closeFeedsHere(close);
				for (const listener of this.remoteCloseListeners) listener(close);
			}
		});
		const writes = deps.writes ?? { atOnce: 2, waiting: 5000 };
		this.writes = new FairTurns(writes.atOnce);
		this.maxWaitingWrites = writes.waiting;
	}

	/** Starts scheduling networks that still had prompts waiting when the server last stopped. */
	async resume(): Promise<void> {
		for (const id of await this.queue.networksWaiting()) this.scheduler.poke(id);
	}

	async settings(networkId: string): Promise<AudienceSettings> {
		const network = await this.deps.networks.find(networkId);
		if (!network) throw notFound('No such network.');
		return resolveAudienceSettings(network.audience);
	}

	/** After the owner changed the settings (a switch to auto mode may free approved prompts). */
	settingsChanged(networkId: string): void {
		this.queueChanged(networkId);
	}

	/** A network's queue changed (here): the scheduler and the feeds hear it, on every process. */
	private queueChanged(networkId: string): void {
		this.queueChangedHere(networkId);
		this.shared.queueChanged(networkId);
	}

	private queueChangedHere(networkId: string): void {
		this.scheduler.poke(networkId);
		this.feed.queueChanged(networkId);
	}

	/** Ends matching feed streams here at once, and on the other processes over the bus. */
	private closeFeeds(close: FeedClose): void {
		this.closeFeedsHere(close);
		this.shared.closeFeeds(close);
	}

	/** Streams closed because another process took access away (this process's own closings are its callers'). */
	onRemoteClose(listener: (close: FeedClose) => void): void {
		this.remoteCloseListeners.push(listener);
	}

	private closeFeedsHere(close: FeedClose): void {
		const match = feedCloseMatch(close);
		if (close.networkId === null) this.feed.disconnectEverywhere(match, close.reason);
		else this.feed.disconnect(close.networkId, match, close.reason);
	}

	// —— join codes ——

	/** A fresh code (owner or editor). */
	async mintCode(networkId: string, user: PublicUser): Promise<JoinCodeInfo> {
		await this.deps.networks.requireEditor(networkId, user);
		return this.codes.mint(networkId, user.id, await this.settings(networkId));
	}

	/** The code a projector should show now, rotated as the settings say (owner or editor). */
	async currentCode(networkId: string, user: PublicUser): Promise<JoinCodeInfo> {
		await this.deps.networks.requireEditor(networkId, user);
		return this.codes.current(networkId, user.id, await this.settings(networkId));
	}

	/**
	 * Which network a typed code opens, or why not (the /j form). Counted like a join's check:
	 * an address that tried too many codes that do not exist is refused (429) for a while.
	 */
	checkCode(input: string, address = 'unknown'): Promise<CodeCheck> {
		return this.inTurn(address, () => this.checkCounted(input, address));
	}

	/**
	 * The code check with its per-address limit. Only codes that do not exist count, so a room
	 * behind one address joining with the real code (or a just-expired one) never runs out of
	 * tries. Checks run a few at a time (inTurn), so a burst overshoots the limit by at most that.
	 */
	private async checkCounted(input: string, address: string): Promise<CodeCheck> {
		if (!(await this.guessesPerAddress.peek(address))) {
			// With no token left, take() spends nothing and says how long until the next one.
			const refused = await this.guessesPerAddress.take(address);
			// The reason tells the phone's page not to retry by itself, as it does when a crowd is joining.
			throw new AppError(429, TOO_MANY_GUESSES, { retryAfterSeconds: refused.ok ? 1 : Math.ceil(refused.retryAfterMs / 1000), reason: TOO_MANY_GUESSES_REASON });
		}
		const check = await this.codes.check(input);
		if (!check.ok && check.reason === 'unknown') await this.guessesPerAddress.take(address);
		return check;
	}

	// —— sessions ——

	/**
	 * Joins the audience with a code. A phone that already holds a live session of the same
	 * network keeps it (`token` null: the cookie stays); one removed from it is told so.
	 * `address` is the client's address key (clientKey); joins are limited per network and
	 * address, not per code, since every code a network showed in the last hour still works.
	 */
	join(input: string, existingToken?: string, address = 'unknown'): Promise<{ token: string | null; session: AudienceSession }> {
		return this.inTurn(address, () => this.joinNow(input, existingToken, address));
	}

	private async joinNow(input: string, existingToken: string | undefined, address: string): Promise<{ token: string | null; session: AudienceSession }> {
		const check = await this.checkCounted(input, address);
		if (!check.ok) {
			if (check.reason === 'unknown') throw notFound('There is no such code. Check it against the screen and try again.');
			throw new AppError(
				410,
				check.reason === 'expired' ? 'This code has expired — scan the screen again.' : 'This code no longer works — scan the screen again.',
				{ reason: check.reason }
			);
		}
		const existing = existingToken ? await this.sessions.validate(existingToken) : null;
		if (existing?.session.networkId === check.networkId) {
			if (existing.session.revoked) throw forbidden(REMOVED_MESSAGE);
			return { token: existing.renewed ? existingToken! : null, session: existing.session };
		}
		// Look at every limit before spending from any, so one refusal does not cost the others.
		const fromHere = `${check.networkId}|${address}`;
		const open = await Promise.all([this.joinPerCode.peek(check.code), this.joinPerNetwork.peek(check.networkId), this.joinPerAddress.peek(fromHere)]);
		if (open.includes(false)) {
			throw tooManyRequests('Lots of people are joining right now. This page tries again by itself in a few seconds.', JOIN_RETRY_SECONDS);
		}
		await Promise.all([this.joinPerCode.take(check.code), this.joinPerNetwork.take(check.networkId), this.joinPerAddress.take(fromHere)]);
		return this.sessions.create(check.networkId, check.code);
	}

	validate(token: string) {
		return this.sessions.validate(token);
	}

	/** Who is here: audience sessions seen lately or holding the feed open, and the sessions themselves (owner or editor). */
	async presence(networkId: string, user: PublicUser) {
		await this.deps.networks.requireEditor(networkId, user);
		const viewers = this.feed.viewers(networkId);
		const present = new Set(await this.sessions.presentIds(networkId));
		for (const viewer of viewers) if (viewer.kind === 'audience') present.add(viewer.sessionId);
		const sessions = await this.sessions.list(networkId);
		let streams = viewers.length;
		if (this.deps.watchers) {
			// Streams held open on the other processes too (a count the console may show a few
			// seconds late, if Redis is away: then it shows this process's own).
			const live = sessions.filter((s) => !s.revoked);
			const totals = await this.deps.watchers.totals([`n:${networkId}`, ...live.map((s) => `s:${watcherKey({ kind: 'audience', sessionId: s.id })}`)]).catch(() => null);
			if (totals) {
				streams = Math.max(streams, totals[0]);
				live.forEach((s, i) => totals[i + 1] > 0 && present.add(s.id));
			}
		}
		return { count: present.size, streams, sessions };
	}

	/** Removes one person: their session, their waiting prompts, their open streams and sockets. */
	async removeSession(networkId: string, user: PublicUser, sessionId: string): Promise<void> {
		if (!(await this.removeSessions(networkId, user, [sessionId])).removed) throw notFound('No such audience session.');
	}

	/**
	 * Removes many people in one action (a flood of sessions): their sessions, their waiting
	 * prompts, their open streams and sockets. Ids that are not live sessions of the network
	 * are skipped. Returns how many sessions were removed and how many prompts dropped.
	 */
	async removeSessions(networkId: string, user: PublicUser, sessionIds: string[]): Promise<{ removed: number; prompts: number }> {
		await this.deps.networks.requireEditor(networkId, user);
		const removed = new Set(await this.sessions.removeMany(networkId, sessionIds));
		const prompts = await this.queue.dropWaiting(networkId, 'Removed by the facilitator.', [...removed]);
		this.closeFeeds({ networkId, who: { kind: 'audience', sessionIds: [...removed] }, reason: REMOVED_MESSAGE });
		await this.deps.rooms.disconnect([feedRoom(networkId)], { principals: [...removed].map(audiencePrincipal) }, REMOVED_MESSAGE);
		return { removed: removed.size, prompts };
	}

	/** Ends the event: every code and audience session, every waiting prompt, every audience stream. */
	async endEvent(networkId: string, user: PublicUser) {
		await this.deps.networks.requireEditor(networkId, user);
		const codes = await this.codes.revokeAll(networkId);
		const sessions = await this.sessions.expireAll(networkId);
		const prompts = await this.queue.dropWaiting(networkId, 'The event ended.');
		const reason = FEED_CLOSED.eventEnded;
		this.closeFeeds({ networkId, who: { kind: 'audience' }, reason });
		await this.deps.rooms.disconnect([feedRoom(networkId)], { principalPrefix: 'audience:' }, reason);
		return { codes, sessions, prompts };
	}

	// —— prompts ——

	/** A prompt into the queue; `address` is the sender's address key (prompts take turns per address). */
	async submitPrompt(networkId: string, sender: Sender, text: string, address = 'unknown') {
		const author = await this.author(networkId, sender);
		return this.inTurn(address, () => this.queue.submit(networkId, author, text));
	}

	/** Facilitators get the whole queue and recent history; everyone else their own prompts. */
	async listPrompts(networkId: string, sender: Sender) {
		if (await this.isFacilitator(networkId, sender.user)) {
			const { queueMode } = await this.settings(networkId);
			return { mode: queueMode, ...(await this.queue.forFacilitator(networkId)) };
		}
		return { prompts: await this.queue.forAuthor(networkId, await this.author(networkId, sender)) };
	}

	async approve(networkId: string, user: PublicUser, promptId: string) {
		await this.deps.networks.requireEditor(networkId, user);
		return this.queue.approve(networkId, promptId);
	}

	async reject(networkId: string, user: PublicUser, promptId: string, reason?: string) {
		await this.deps.networks.requireEditor(networkId, user);
		return this.queue.reject(networkId, promptId, reason);
	}

	/** Drops every waiting prompt at once (a facilitator clearing a flood). Returns how many. */
	async clearQueue(networkId: string, user: PublicUser): Promise<{ dropped: number }> {
		await this.deps.networks.requireEditor(networkId, user);
		return { dropped: await this.queue.dropWaiting(networkId, 'The facilitator cleared the queue. You can send it again.') };
	}

	async withdraw(networkId: string, sender: Sender, promptId: string) {
		return this.queue.withdraw(networkId, promptId, await this.author(networkId, sender));
	}

	// —— feed ——

	/**
	 * Opens a feed stream once the connection caps admit it (before any room is touched) and the
	 * credentials may read the network. `address` is the client's `addressKey`. A refusal is a
	 * 429 (this client is over its share) or 503 (full), with Retry-After.
	 */
	async openFeed(networkId: string, credentials: Credentials, { cards, address }: { cards?: number; address: string }): Promise<ReadableStream<Uint8Array>> {
		// Read before authorising: access taken away while this request is under way ends it.
		const since = this.feed.revision;
		// The same policy as the sync upgrade's for `<id>/feed` (networks/room-access.ts).
		const room = feedRoomOf(networkId);
		const principal = principalFor(room, credentials);
		const admitted = await this.admission.admit({ address, session: connectionKey(principal), network: networkId });
		if (!admitted.ok) throw new AppError(admitted.status, admitted.message, { retryAfterSeconds: admitted.retryAfterSeconds, limit: admitted.limit });
		let watching: { release(): void } | null = null;
		const ended = () => {
			admitted.release();
			watching?.release();
		};
		try {
			const decision = await authorizeRoom(this.deps.networks, room, principal);
			if (!decision.ok) throw new AppError(decision.status, decision.message);
			const viewer = feedViewer(principal, decision.basis);
			if (this.deps.watchers) {
				// Counted for presence across the cluster; never refused (the caps were checked above).
				const counted = await this.deps.watchers.admit({ address: '-', session: watcherKey(viewer), network: networkId });
				if (counted.ok) watching = counted;
			}
			return await this.feed.open(networkId, viewer, { cards, since, onEnd: ended });
		} catch (error) {
			ended();
			if (error instanceof AppError) throw error;
			// The feed room could not load, or the server is stopping: EventSource retries.
			throw new AppError(503, 'The live feed is not available right now; it reconnects by itself.');
		}
	}

	// —— access taken away: the streams that rested on it end, saying why ——

	/** A member was removed: the streams they opened as a member. */
	memberRemoved(networkId: string, userId: string): void {
		this.closeFeeds({ networkId, who: { kind: 'member', userId }, reason: FEED_CLOSED.memberRemoved });
	}

	/** The network went private: everyone who saw it only because it was public or unlisted. */
	madePrivate(networkId: string): void {
		this.closeFeeds({ networkId, who: { kind: 'public' }, reason: FEED_CLOSED.madePrivate });
	}

	/** Kiosk screens were deleted (with their installation, or taken out of it): their streams and sync sockets. */
	screensRemoved(networkId: string, screenIds: string[]): void {
		if (!screenIds.length) return;
		this.closeFeeds({ networkId, who: { kind: 'kiosk', ids: screenIds }, reason: FEED_CLOSED.displayRemoved });
		// Recorded at once (sockets still joining are refused); closing the open ones finishes later.
		this.deps.rooms
			.disconnect([feedRoom(networkId)], { principals: screenIds.map(kioskPrincipal) }, FEED_CLOSED.displayRemoved)
			.catch((error) => (this.deps.log ?? console).error('[audience] closing removed screens’ sockets failed', error));
	}

	/** A login session ended: its streams on every network (audience and kiosk streams are not its). */
	loggedOut(loginSessionId: string): void {
		this.closeFeeds({ networkId: null, who: { kind: 'login', loginSession: loginSessionId }, reason: FEED_CLOSED.loggedOut });
	}

	/** The network is being deleted: end its streams. */
	forget(networkId: string): void {
		this.closeFeeds({ networkId, who: { kind: 'all' }, reason: 'This network was deleted.' });
		this.sessions.forgetNetwork(networkId);
	}

	/** Runs a join or prompt when its address gets a turn; refuses (503) when too many already wait. */
	private inTurn<T>(address: string, task: () => Promise<T>): Promise<T> {
		if (this.writes.queued >= this.maxWaitingWrites) {
			return Promise.reject(new AppError(503, 'Lots of people are sending at once. Try again in a few seconds.', { retryAfterSeconds: JOIN_RETRY_SECONDS }));
		}
		return this.writes.run(address, undefined, task);
	}

	async close(): Promise<void> {
		this.shared.close();
		await this.scheduler.close();
		await this.feed.close();
	}

	/**
	 * Who a prompt is from. Owners and editors prompt as themselves (DESIGN's role table);
	 * otherwise an audience session of this network; viewers and strangers may not.
	 */
	private async author(networkId: string, { user, audience }: Sender): Promise<PromptAuthor> {
		let memberError: unknown;
		if (user) {
			try {
				const { role } = await this.deps.networks.access(networkId, user);
				if (canEdit(role)) return { kind: 'member', userId: user.id };
			} catch (error) {
				memberError = error;
			}
		}
		if (audience?.networkId === networkId) {
			if (audience.revoked) throw forbidden(REMOVED_MESSAGE);
			return { kind: 'audience', sessionId: audience.id };
		}
		if (memberError) throw memberError;
		if (user) throw forbidden('Viewers cannot send prompts. Join with the code on the screen, or ask for an editor invite.');
		throw unauthorized('Join with the code on the screen first.');
	}

	private async isFacilitator(networkId: string, user: PublicUser | null): Promise<boolean> {
		if (!user) return false;
		try {
			return canEdit((await this.deps.networks.access(networkId, user)).role);
		} catch {
			return false;
		}
	}
}
