import { badRequest, tooManyRequests } from '../../errors';
import { PLATFORM_NAMES } from '../key-check';
import { PlatformError, type PlatformRegistry } from '../platform';
import type { EmbedderInfo, HostedPlatformId, ModelAvailability, ModelInfo, PlatformId } from '../../shared/platforms/types';
import type { AvailabilityStore, PlatformRecord, StoredAnswer } from './store';
import { retiredReason, type AvailabilityView, type PlatformCheck } from '../../shared/platforms/availability-view';
import { untilAborted } from '../until-aborted';

type Entry = ModelInfo | EmbedderInfo;

export interface AvailabilityDeps {
	store: AvailabilityStore;
	platforms: PlatformRegistry;
	/** Everything a user's check asks about: the catalogue's models and embedders, and the user's own models. */
	entries(userId: string): Promise<readonly Entry[]>;
	/** Which hosted platforms the user has a key for (one query; the key itself only when checking). */
	keyPlatforms(userId: string): Promise<readonly PlatformId[]>;
	revealKey(userId: string, platform: PlatformId): Promise<string | null>;
	now?: () => number;
	/** Answers older than this are asked again when someone looks (default a day). */
	maxAgeMs?: number;
	/** A failed check is tried again after this long, not a day later (default 15 min). */
	retryFailedMs?: number;
	/** Least time between a user's checks of one platform on demand, and after key saves (default 60 s). */
	checkEveryMs?: number;
	/** Longest a provider may take to answer a check (default 20 s). */
	timeoutMs?: number;
	log?: { error(message: string, ...details: unknown[]): void };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Live availability (issue 12): per user and platform, what the provider says it serves to the
 * user's key, kept in the database so a restart does not ask again. Answers are refreshed when
 * someone looks and they are older than `maxAgeMs`, when the user asks ("Check now", at most
 * once per `checkEveryMs`), and when the user saves a new key. One check per user and platform
 * is ever in flight, and none runs longer than `timeoutMs`. A check that fails (refused key,
 * outage) leaves the models unchecked with the reason, never unavailable: runs then go ahead
 * and fail at the provider if they must.
 */
export class AvailabilityService {
	private readonly inflight = new Map<string, Promise<void>>();
	/** When each user last asked for a platform's check (the on-demand rate limit). */
	private readonly asked = new Map<string, number>();
	/** When each check last started (key saves closer together than `checkEveryMs` wait). */
	private readonly started = new Map<string, number>();
	private readonly deferred = new Map<string, ReturnType<typeof setTimeout>>();
	private readonly now: () => number;
	private readonly maxAgeMs: number;
	private readonly retryFailedMs: number;
	private readonly checkEveryMs: number;
	private readonly timeoutMs: number;
	private closed = false;

	constructor(private deps: AvailabilityDeps) {
		this.now = deps.now ?? Date.now;
		this.maxAgeMs = deps.maxAgeMs ?? DAY_MS;
		this.retryFailedMs = Math.min(deps.retryFailedMs ?? 15 * 60_000, this.maxAgeMs);
		this.checkEveryMs = deps.checkEveryMs ?? 60_000;
		this.timeoutMs = deps.timeoutMs ?? 20_000;
	}

	/**
	 * What the user's keys reach: each model's state and each platform's last check. Stale or
	 * missing answers are asked for in the background (the answer comes on a later look).
	 * `include` narrows the models (a network's page shows the catalogue and its own nodes).
	 */
	async view(userId: string, include?: (modelId: string) => boolean): Promise<AvailabilityView> {
		const [records, entries, checkable] = await Promise.all([this.deps.store.load(userId), this.deps.entries(userId), this.checkable(userId)]);
		this.refreshStale(userId, records, checkable);
		const byPlatform = new Map(records.map((r) => [r.platform, r]));
		const models: Record<string, ModelAvailability> = {};
		for (const entry of entries) {
			if (!include || include(entry.id)) models[entry.id] = this.stateOf(entry, byPlatform.get(entry.platform));
		}
		// Marks for models outside the entries (someone else's model on the owner's canvas).
		for (const record of records) {
			for (const id of Object.keys(record.answers)) {
				if (!(id in models) && (!include || include(id))) models[id] = this.stateOf({ id, platform: record.platform as PlatformId }, record);
			}
		}
		const platforms: Record<string, PlatformCheck> = {};
		for (const [id, platform] of this.deps.platforms) {
			if (!platform.checkAvailability && !platform.needsKey) continue; // built-in models: nothing to ask
			const record = byPlatform.get(id);
			platforms[id] = {
				canCheck: checkable.has(id),
				...(platform.checkAvailability ? {} : { cannotAsk: true }),
				...(record?.checkedAt ? { checkedAt: record.checkedAt.toISOString() } : {}),
				...(record?.error ? { error: record.error } : {}),
				...(this.inflight.has(slot(userId, id)) ? { checking: true } : {})
			};
		}
		return { models, platforms };
	}

	/**
	 * The models among `models` that the owner's cache (or their shutdown date) marks
	 * unavailable, with the reason: a run through them is refused before it starts.
	 */
	async unavailable(ownerId: string, models: readonly ModelInfo[]): Promise<Array<{ model: ModelInfo; reason: string }>> {
		const records = await this.deps.store.load(ownerId);
		this.refreshStale(ownerId, records, await this.checkable(ownerId));
		const byPlatform = new Map(records.map((r) => [r.platform, r]));
		return models.flatMap((model) => {
			const state = this.stateOf(model, byPlatform.get(model.platform));
			return state.state === 'unavailable' ? [{ model, reason: state.reason ?? 'the provider no longer serves it' }] : [];
		});
	}

	/**
	 * "Check now": asks the provider(s) again and answers when done (within `timeoutMs`).
	 * Each platform may be asked this way once per `checkEveryMs` per user, then 429.
	 */
	async check(userId: string, platform?: PlatformId): Promise<AvailabilityView> {
		const checkable = await this.checkable(userId);
		if (platform && !checkable.has(platform)) {
			const impl = this.deps.platforms.get(platform);
			throw badRequest(
				impl?.checkAvailability
					? `Save a ${nameOf(platform)} key first: models are checked with your key.`
					: `PANIC cannot ask ${nameOf(platform)} which models it serves.`
			);
		}
		const targets = platform ? [platform] : [...checkable];
		const now = this.now();
		const waits = targets.map((p) => (this.asked.get(slot(userId, p)) ?? -Infinity) + this.checkEveryMs - now);
		const wait = Math.max(0, ...waits);
		if (wait > 0) {
			const seconds = Math.ceil(wait / 1000);
			throw tooManyRequests(`Models were just checked. Check again in ${seconds} second${seconds === 1 ? '' : 's'}.`, seconds);
		}
		this.pruneAsked(now);
		for (const p of targets) this.asked.set(slot(userId, p), now);
		await Promise.all(targets.map((p) => this.refresh(userId, p)));
		return this.view(userId);
	}

	/**
	 * A new key was saved: ask with it (in the background). Saves closer together than
	 * `checkEveryMs`, or during a check with the old key, wait and then ask once.
	 */
	keySaved(userId: string, platform: PlatformId): void {
		if (this.closed) return;
		const k = slot(userId, platform);
		clearTimeout(this.deferred.get(k));
		this.deferred.delete(k);
		const running = this.inflight.get(k);
		if (running) {
			// Either way (a failed check was logged by whoever started it), ask again with the new key.
			const again = () => this.keySaved(userId, platform);
			void running.then(again, again);
			return;
		}
		const wait = (this.started.get(k) ?? -Infinity) + this.checkEveryMs - this.now();
		if (wait <= 0) return void this.background(userId, platform);
		const timer = setTimeout(() => {
			this.deferred.delete(k);
			this.keySaved(userId, platform);
		}, wait);
		timer.unref?.();
		this.deferred.set(k, timer);
	}

	/** The key was removed: what it was told no longer says anything about the user's models. */
	async keyRemoved(userId: string, platform: PlatformId): Promise<void> {
		const k = slot(userId, platform);
		clearTimeout(this.deferred.get(k));
		this.deferred.delete(k);
		await this.inflight.get(k)?.catch(() => {}); // its failure is logged where it started
		await this.deps.store.clear(userId, platform);
	}

	/**
	 * A step failed with `model_gone`: the provider no longer serves the model to the owner's
	 * key, so the canvas and the next run's preflight say so at once (until the next check).
	 */
	async modelGone(ownerId: string, model: Pick<ModelInfo, 'id' | 'platform'>, reason: string): Promise<void> {
		await this.deps.store.mark(ownerId, model.platform, model.id, { available: false, reason, at: new Date(this.now()).toISOString() });
	}

	/** Stops deferred checks (in-flight ones end within `timeoutMs`). */
	close(): void {
		this.closed = true;
		for (const timer of this.deferred.values()) clearTimeout(timer);
		this.deferred.clear();
	}

	/** Settles when every check under way has (tests, shutdown). */
	async idle(): Promise<void> {
		while (this.inflight.size) await Promise.all(this.inflight.values());
	}

	private stateOf(entry: Pick<ModelInfo, 'id' | 'platform'> & { retires?: string }, record: PlatformRecord | undefined): ModelAvailability {
		const retired = retiredReason(entry, this.now());
		if (retired) return { state: 'unavailable', reason: retired };
		const answer: StoredAnswer | undefined = record?.answers[entry.id];
		if (answer) {
			return answer.available
				? { state: 'available', checkedAt: answer.at }
				: { state: 'unavailable', reason: answer.reason ?? `${nameOf(entry.platform)} does not serve it`, checkedAt: answer.at };
		}
		return record?.error ? { state: 'unchecked', reason: record.error } : { state: 'unchecked' };
	}

	/** Platforms this user's models can be checked on: the platform can ask, and the user has a key if it needs one. */
	private async checkable(userId: string): Promise<Set<PlatformId>> {
		const keys = new Set(await this.deps.keyPlatforms(userId));
		const out = new Set<PlatformId>();
		for (const [id, platform] of this.deps.platforms) {
			if (platform.checkAvailability && (!platform.needsKey || keys.has(id))) out.add(id);
		}
		return out;
	}

	private refreshStale(userId: string, records: readonly PlatformRecord[], checkable: ReadonlySet<PlatformId>): void {
		if (this.closed) return;
		const now = this.now();
		for (const platform of checkable) {
			const record = records.find((r) => r.platform === platform);
			const age = record?.checkedAt ? now - record.checkedAt.getTime() : Infinity;
			if (age > (record?.error ? this.retryFailedMs : this.maxAgeMs)) this.background(userId, platform);
		}
	}

	private background(userId: string, platform: PlatformId): void {
		this.refresh(userId, platform).catch((error) => (this.deps.log ?? console).error(`[availability] ${platform} check failed`, error));
	}

	/** One check per user and platform at a time: a second caller waits for the first. */
	private refresh(userId: string, platform: PlatformId): Promise<void> {
		const k = slot(userId, platform);
		const running = this.inflight.get(k);
		if (running) return running;
		const check = this.ask(userId, platform).finally(() => this.inflight.delete(k));
		this.inflight.set(k, check);
		return check;
	}

	private async ask(userId: string, platform: PlatformId): Promise<void> {
		const impl = this.deps.platforms.get(platform);
		if (!impl?.checkAvailability) return;
		const key = impl.needsKey ? await this.deps.revealKey(userId, platform) : '';
		if (key === null) return; // removed meanwhile: nothing to ask with
		const entries = (await this.deps.entries(userId)).filter((e) => e.platform === platform);
		const startedAt = new Date(this.now());
		this.started.set(slot(userId, platform), startedAt.getTime());
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(new DOMException('availability check timed out', 'TimeoutError')), this.timeoutMs);
		let record: PlatformRecord;
		try {
			const answers = await untilAborted(impl.checkAvailability(entries, { key, signal: controller.signal }), controller.signal);
			const at = startedAt.toISOString();
			const stored: Record<string, StoredAnswer> = {};
			for (const entry of entries) {
				const answer = answers.get(entry.id);
				// An id the provider did not answer for stays unchecked rather than guessed.
				if (answer) stored[entry.id] = answer.available ? { available: true, at } : { available: false, at, ...(answer.reason ? { reason: answer.reason } : {}) };
			}
			record = { platform, checkedAt: startedAt, error: null, answers: stored };
		} catch (error) {
			record = { platform, checkedAt: startedAt, error: `could not check: ${this.failure(platform, error, controller.signal)}`, answers: {} };
		} finally {
			clearTimeout(timer);
		}
		await this.deps.store.save(userId, record);
	}

	/** Why a check failed, in PANIC's words (provider text can echo parts of a key). */
	private failure(platform: PlatformId, error: unknown, signal: AbortSignal): string {
		if (signal.aborted) return `${nameOf(platform)} did not answer within ${Math.round(this.timeoutMs / 1000)} seconds`;
		if (error instanceof PlatformError) return error.message.replace(/\.$/, '');
		return `${nameOf(platform)} gave an answer PANIC could not understand`;
	}

	/** Forgets on-demand timestamps old enough not to limit anything (the map stays small). */
	private pruneAsked(now: number): void {
		if (this.asked.size < 10_000) return;
		for (const [k, at] of this.asked) if (now - at >= this.checkEveryMs) this.asked.delete(k);
		for (const [k, at] of this.started) if (now - at >= this.checkEveryMs) this.started.delete(k);
	}
}

const slot = (userId: string, platform: string) => `${userId}\u0000${platform}`;

const nameOf = (platform: string) => PLATFORM_NAMES[platform as HostedPlatformId] ?? platform;
