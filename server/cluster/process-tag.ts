import { createHash } from 'node:crypto';
import type { Cluster } from './cluster';

/**
 * A short opaque name for this process, sent as `X-Panic-Process` on every response in cluster
 * mode, so an operator (and the routing test) can tell which process behind HAProxy answered.
 * A hash of the process id: stable for the process's life, different after a restart, and it
 * tells a stranger nothing (the id itself holds the host name and pid). None in single mode.
 */
export function processTag(cluster: Pick<Cluster, 'mode' | 'processId'>): string | null {
	if (cluster.mode !== 'cluster') return null;
	return createHash('sha256').update(cluster.processId).digest('base64url').slice(0, 10);
}
