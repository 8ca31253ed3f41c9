import type { Redis } from 'ioredis';
import {
	connectionRefusal,
	refusalOf,
	type Admission,
	type ConnectionClaim,
	type ConnectionGate,
	type ConnectionLimitName,
	type ConnectionLimits
} from '../http/connection-admission';
import { withDeadline } from './counters';
import { luaScript } from './lua';

/**
 * Long-lived connections counted across every process of a cluster. Each process keeps its own
 * counts in a hash of its own (`<prefix>:conn:p:<processId>`, fields `a:<address>`,
 * `an:<address>`, `s:<session>`, `n:<network>`) that expires unless the process refreshes it
 * (the heartbeat), and names itself in a set (`<prefix>:conn:procs`). Admission sums the
 * hashes of the processes whose hash still exists, so the slots of a process that died free
 * themselves once its hash expires, and removes the dead from the set. The check and the count
 * are one Lua script: two processes cannot both take the last slot.
 *
 * The process-wide cap (`total`) stays per process: it protects this process's descriptors.
 *
 * The process also keeps its counts in memory. Whenever Redis lost some of them (a release
 * that failed while Redis was away, or the hash expired while the process was stalled), the
 * heartbeat writes the hash afresh from memory, so the counts heal by themselves.
 */
const ADMIT = luaScript(`
local procs = KEYS[1]
local own = KEYS[2]
local ownId = ARGV[1]
local ttl = tonumber(ARGV[2])
local base = ARGV[3]
local limits = { tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]) }
local fields = { ARGV[8], ARGV[9], ARGV[10], ARGV[11] }
local names = { 'session', 'anonymous', 'address', 'network' }
local sums = { 0, 0, 0, 0 }
for _, id in ipairs(redis.call('SMEMBERS', procs)) do
  local key = base .. id
  if redis.call('EXISTS', key) == 0 then
    if id ~= ownId then redis.call('SREM', procs, id) end
  else
    local counts = redis.call('HMGET', key, fields[1], fields[2], fields[3], fields[4])
    for i = 1, 4 do sums[i] = sums[i] + (tonumber(counts[i]) or 0) end
  end
end
for i = 1, 4 do
  if fields[i] ~= '' and sums[i] >= limits[i] then return names[i] end
end
for i = 1, 4 do
  if fields[i] ~= '' then redis.call('HINCRBY', own, fields[i], 1) end
end
redis.call('PEXPIRE', own, ttl)
redis.call('SADD', procs, ownId)
redis.call('PEXPIRE', procs, ttl * 20)
return 'ok'
`);

/** Sums fields over the processes still alive (read only). */
const TOTALS = luaScript(`
local sums = {}
for i = 1, #ARGV - 1 do sums[i] = 0 end
local base = ARGV[#ARGV]
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = base .. id
  if redis.call('EXISTS', key) == 1 then
    for i = 1, #ARGV - 1 do sums[i] = sums[i] + (tonumber(redis.call('HGET', key, ARGV[i])) or 0) end
  end
end
return sums
`);

const RELEASE = luaScript(`
for i = 1, #ARGV do
  if ARGV[i] ~= '' and redis.call('HINCRBY', KEYS[1], ARGV[i], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 'ok'
`);

export interface RedisConnectionAdmissionOptions {
	redis: Redis;
	prefix: string;
	processId: string;
	limits: ConnectionLimits;
	/** How long this process's counts outlive its last heartbeat (default 15 s). */
	ttlMs?: number;
	/** How long an admission may wait for Redis before it is refused with 503 (default 1 s). */
	deadlineMs?: number;
	log?: Pick<Console, 'warn'>;
}

/** The fields of a claim, in the script's order: session, anonymous, address, network. */
function fieldsOf(claim: ConnectionClaim): [string, string, string, string] {
	const anonymous = claim.session === null;
	return [anonymous ? '' : `s:${claim.session}`, anonymous ? `an:${claim.address}` : '', `a:${claim.address}`, `n:${claim.network}`];
}

export class RedisConnectionAdmission implements ConnectionGate {
	readonly limits: ConnectionLimits;
	private readonly redis: Redis;
	private readonly procsKey: string;
	private readonly base: string;
	private readonly ownKey: string;
	private readonly ttlMs: number;
	private readonly deadlineMs: number;
	private readonly log: Pick<Console, 'warn'>;
	/** This process's counts, the truth the Redis hash is rewritten from. */
	private local = new Map<string, number>();
	private total = 0;
	/** Redis may hold other counts than `local` (a release failed): rewrite at the next heartbeat. */
	private dirty = false;
	private heartbeat: ReturnType<typeof setInterval>;
	private beating: Promise<void> | null = null;
	private closed = false;

	constructor(private readonly options: RedisConnectionAdmissionOptions) {
		this.limits = options.limits;
		this.redis = options.redis;
		this.procsKey = `${options.prefix}:conn:procs`;
		this.base = `${options.prefix}:conn:p:`;
		this.ownKey = this.base + options.processId;
		this.ttlMs = options.ttlMs ?? 15_000;
		this.deadlineMs = options.deadlineMs ?? 1000;
		this.log = options.log ?? console;
		this.heartbeat = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.ttlMs / 3)));
		this.heartbeat.unref?.();
	}

	/** Connections open in this process. */
	get open(): number {
		return this.total;
	}

	async admit(claim: ConnectionClaim): Promise<Admission> {
		const anonymous = claim.session === null;
		if (this.closed) return this.refuse('total');
		// Only this process's own count can break the process-wide cap: no need to ask Redis.
		const local = connectionRefusal({ session: 0, anonymous: 0, address: 0, network: 0, total: this.total }, this.limits, anonymous);
		if (local) return { ok: false, ...local };
		const fields = fieldsOf(claim);
		const { perSession, perAddressAnonymous, perAddress, perNetwork } = this.limits;
		const asking = ADMIT(
			this.redis,
			[this.procsKey, this.ownKey],
			[this.options.processId, this.ttlMs, this.base, perSession, perAddressAnonymous, perAddress, perNetwork, ...fields]
		) as Promise<string>;
		let answer: string;
		try {
			// Admitted after the deadline: nobody holds that slot, so give it straight back.
			answer = await withDeadline(asking, this.deadlineMs, 'a connection admission', (late) => {
				if (late === 'ok') void this.releaseInRedis(fields);
			});
		} catch (error) {
			this.log.warn(`[limits] connection admission could not reach Redis: ${(error as Error).message}`);
			// Fail closed: a 503 the client (EventSource, the sync client) retries by itself.
			return { ok: false, ...refusalOf('unavailable') };
		}
		if (answer !== 'ok') return this.refuse(answer as ConnectionLimitName);
		for (const field of fields) if (field) this.local.set(field, (this.local.get(field) ?? 0) + 1);
		this.total++;
		let released = false;
		return {
			ok: true,
			release: () => {
				if (released) return;
				released = true;
				for (const field of fields) {
					if (!field) continue;
					const next = (this.local.get(field) ?? 0) - 1;
					if (next > 0) this.local.set(field, next);
					else this.local.delete(field);
				}
				this.total--;
				void this.releaseInRedis(fields);
			}
		};
	}

	/**
	 * What every live process holds open under these fields (`n:<network>`, `s:<session>`,
	 * `a:<address>`): how many phones watch a network, across the cluster.
	 */
	async totals(fields: string[]): Promise<number[]> {
		if (!fields.length) return [];
		const sums = await withDeadline(TOTALS(this.redis, [this.procsKey], [...fields, this.base]) as Promise<number[]>, this.deadlineMs, 'connection totals');
		return sums.map(Number);
	}

	private refuse(limit: ConnectionLimitName): Admission {
		return { ok: false, ...refusalOf(limit) };
	}

	private async releaseInRedis(fields: string[]) {
		try {
			await withDeadline(RELEASE(this.redis, [this.ownKey], fields), this.deadlineMs, 'a connection release');
		} catch (error) {
			// The heartbeat writes the counts afresh once Redis answers again.
			this.dirty = true;
			this.log.warn(`[limits] releasing a connection in Redis failed: ${(error as Error).message}`);
		}
	}

	/** Keeps this process's counts alive in Redis, and rewrites them when Redis lost track. */
	beat(): Promise<void> {
		return (this.beating ??= this.beatOnce().finally(() => (this.beating = null)));
	}

	private async beatOnce() {
		if (this.closed) return;
		try {
			const alive = await withDeadline(this.redis.pexpire(this.ownKey, this.ttlMs), this.deadlineMs, 'a heartbeat');
			if (this.dirty || (alive === 0 && this.local.size)) await this.rewrite();
		} catch (error) {
			this.dirty = true;
			this.log.warn(`[limits] connection heartbeat failed: ${(error as Error).message}`);
		}
	}

	private async rewrite() {
		this.dirty = false;
		const multi = this.redis.multi().del(this.ownKey);
		if (this.local.size) {
			multi.hset(this.ownKey, Object.fromEntries(this.local)).pexpire(this.ownKey, this.ttlMs).sadd(this.procsKey, this.options.processId);
			multi.pexpire(this.procsKey, this.ttlMs * 20);
		}
		await withDeadline(multi.exec(), this.deadlineMs, 'rewriting the counts');
	}

	/** Stops the heartbeat and gives back every slot of this process. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		clearInterval(this.heartbeat);
		await this.beating;
		try {
			await withDeadline(this.redis.multi().del(this.ownKey).srem(this.procsKey, this.options.processId).exec(), this.deadlineMs, 'closing');
		} catch {
			// Expires by itself within ttlMs.
		}
	}

	/** Tests: stop the heartbeat without giving anything back, as a process that died would. */
	abandon(): void {
		this.closed = true;
		clearInterval(this.heartbeat);
	}
}
