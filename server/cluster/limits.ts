import { ConnectionAdmission, type ConnectionGate, type ConnectionLimits } from '../http/connection-admission';
import type { Cluster } from './cluster';
import { MemoryRateLimits, type RateLimits } from './counters';
import { RedisConnectionAdmission } from './counters-connections';
import { RedisRateLimits } from './counters-redis';

/** Rate limits and connection caps, kept where the cluster's mode says. */
export interface SharedLimits {
	rates: RateLimits;
	connections: ConnectionGate;
	/**
	 * Feed streams open on every process, per network and per session, for the console's count
	 * of phones watching (null in the single process, whose own streams are all there are).
	 */
	feedWatchers: RedisConnectionAdmission | null;
}

/** Counted, never refused. */
const UNCAPPED = Number.MAX_SAFE_INTEGER;

/**
 * The single process counts in memory, as it always did; a cluster counts in Redis so that a
 * client spreading its requests over the processes meets the same limits as on one.
 */
export function sharedLimits(cluster: Cluster, connections: ConnectionLimits): SharedLimits {
	if (cluster.mode === 'single' || !cluster.redis) {
		return { rates: new MemoryRateLimits(), connections: new ConnectionAdmission(connections), feedWatchers: null };
	}
	return {
		rates: new RedisRateLimits(cluster.redis, { prefix: cluster.prefix }),
		connections: new RedisConnectionAdmission({ redis: cluster.redis, prefix: cluster.prefix, processId: cluster.processId, limits: connections }),
		feedWatchers: new RedisConnectionAdmission({
			redis: cluster.redis,
			prefix: `${cluster.prefix}:feeds`,
			processId: cluster.processId,
			limits: { perAddress: UNCAPPED, perAddressAnonymous: UNCAPPED, perSession: UNCAPPED, perNetwork: UNCAPPED, total: UNCAPPED }
		})
	};
}
