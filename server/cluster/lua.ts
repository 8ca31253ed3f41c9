import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run atomically in Redis: EVALSHA, and EVAL once when Redis does not know it yet
 * (after a restart or SCRIPT FLUSH). Scripts are how counters check and change several keys
 * in one step, with no other process's command in between.
 */
export function luaScript(source: string) {
	const sha = createHash('sha1').update(source).digest('hex');
	return async (redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> => {
		try {
			return await redis.evalsha(sha, keys.length, ...keys, ...args);
		} catch (error) {
			if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
			return redis.eval(source, keys.length, ...keys, ...args);
		}
	};
}
