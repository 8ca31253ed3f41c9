import type { Redis } from 'ioredis';
import { limitsUnavailable, withDeadline, type RateLimit, type RateLimits, type Taken } from './counters';
import { luaScript } from './lua';

/**
 * Token buckets in Redis, one hash per key (`tokens`, `updated`), so every process spends from
 * the same bucket. The whole read-refill-spend is one Lua script; time is Redis's own clock
 * (TIME), so processes whose clocks differ still agree. A bucket expires once it would have
 * refilled completely, when it is the same as no bucket: nothing grows without end.
 */
const BUCKET = luaScript(`
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local op = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stored = redis.call('HMGET', key, 'tokens', 'updated')
local exists = stored[1] ~= false
if op == 'reset' then
  redis.call('DEL', key)
  return 'ok'
end
if not exists and (op == 'refund' or op == 'spent') then
  return '0'
end
local tokens = limit
if exists then
  tokens = math.min(limit, tonumber(stored[1]) + (now - tonumber(stored[2])) / window * limit)
end
local answer = 'ok'
if op == 'take' then
  if tokens >= 1 then
    tokens = tokens - 1
  else
    answer = tostring(math.ceil((1 - tokens) * window / limit))
  end
elseif op == 'refund' then
  tokens = math.min(limit, tokens + 1)
elseif op == 'peek' then
  if tokens >= 1 then return 'ok' end
  return 'no'
elseif op == 'spent' then
  return tostring(limit - tokens)
end
if tokens >= limit then
  redis.call('DEL', key)
else
  redis.call('HSET', key, 'tokens', tostring(tokens), 'updated', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((limit - tokens) / limit * window) + 1000)
end
return answer
`);

export interface RedisRateLimitsOptions {
	/** Keys start with `${prefix}:rl:`. */
	prefix: string;
	/** How long a count may take before the request is refused with 503 (default 1 s). */
	deadlineMs?: number;
}

export class RedisRateLimits implements RateLimits {
	private readonly deadlineMs: number;

	constructor(
		private readonly redis: Redis,
		private readonly options: RedisRateLimitsOptions
	) {
		this.deadlineMs = options.deadlineMs ?? 1000;
	}

	rateLimit(name: string, limit: number, windowMs: number): RateLimit {
		const base = `${this.options.prefix}:rl:${name}:${limit}:${windowMs}:`;
		const run = async (key: string, op: 'take' | 'peek' | 'refund' | 'reset' | 'spent'): Promise<string> => {
			try {
				return String(await withDeadline(BUCKET(this.redis, [base + key], [limit, windowMs, op]), this.deadlineMs, `rate limit ${name}`));
			} catch {
				// Fail closed (see LIMITS_UNAVAILABLE_MESSAGE): a 503 the client retries shortly.
				throw limitsUnavailable();
			}
		};
		return {
			take: async (key): Promise<Taken> => {
				const answer = await run(key, 'take');
				return answer === 'ok' ? { ok: true } : { ok: false, retryAfterMs: Number(answer) };
			},
			peek: async (key) => (await run(key, 'peek')) === 'ok',
			refund: async (key) => void (await run(key, 'refund')),
			reset: async (key) => void (await run(key, 'reset')),
			spent: async (key) => Number(await run(key, 'spent'))
		};
	}
}
