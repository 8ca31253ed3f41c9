import fs from 'node:fs';

/**
 * How many file descriptors this process may hold, so long-lived connections (SSE streams,
 * sync sockets) can be capped below it. Node raises its soft RLIMIT_NOFILE to the hard limit
 * at start-up, so the soft limit read once is the one that holds for the life of the process.
 * Linux shows it in /proc/self/limits; elsewhere it is unknown and only the configured caps apply.
 */
export function readOpenFilesLimit(path = '/proc/self/limits'): number | null {
	try {
		return parseOpenFilesLimit(fs.readFileSync(path, 'utf8'));
	} catch {
		return null;
	}
}

/** The soft "Max open files" of a /proc/<pid>/limits text; null when absent or unlimited. */
export function parseOpenFilesLimit(text: string): number | null {
	const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
	if (!match || !/^\d+$/.test(match[1])) return null;
	const soft = Number(match[1]);
	return soft > 0 ? soft : null;
}

/**
 * The descriptors kept free of long-lived connections: for the database (a pg pool, or
 * PGlite's files), assets being read or written, and ordinary requests (page loads,
 * /api/health) that must keep working when streams are at their ceiling. A quarter of the
 * limit, and never fewer than 256: a 1024 limit keeps 256, a 20,000 limit 5,000.
 */
export function defaultDescriptorReserve(openFilesLimit: number): number {
	return Math.max(256, Math.floor(openFilesLimit / 4));
}

/**
 * The most long-lived connections the descriptors allow: the limit less the reserve (at
 * least 1, so a tiny limit still admits someone), or Infinity when the limit is unknown.
 */
export function descriptorCeiling(openFilesLimit: number | null, reserve?: number): number {
	if (openFilesLimit === null) return Infinity;
	return Math.max(1, openFilesLimit - (reserve ?? defaultDescriptorReserve(openFilesLimit)));
}
