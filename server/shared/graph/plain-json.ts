/**
 * Node params are free-form model settings, so they are checked as data rather than by a
 * schema: plain JSON only, small and shallow, and without the keys that mean something to
 * JavaScript objects themselves. `{"constructor": …}` made Yjs refuse the value half-way
 * through writing a graph, and `__proto__` silently turns into a prototype in parsers that
 * assign keys one by one (zod's records, lib0's decoder). Refusing them keeps every layer
 * seeing the same data.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface PlainJsonLimits {
	maxBytes: number;
	maxDepth: number;
}

/** Why `value` is not a plain JSON object within `limits` (a sentence to show), or null if it is. */
export function plainJsonObjectProblem(value: unknown, limits: PlainJsonLimits): string | null {
	if (!isPlainObject(value)) return 'must be a JSON object.';
	const problem = walk(value, '', 1, limits.maxDepth);
	if (problem) return problem;
	const bytes = Buffer.byteLength(JSON.stringify(value));
	if (bytes > limits.maxBytes) return `are ${bytes} bytes as JSON; at most ${limits.maxBytes} are allowed.`;
	return null;
}

function walk(value: unknown, path: string, depth: number, maxDepth: number): string | null {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
	if (typeof value === 'number') return Number.isFinite(value) ? null : `${at(path)}is not a finite number.`;
	if (depth > maxDepth) return `nest deeper than ${maxDepth} levels.`;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) {
			const problem = walk(value[i], `${path}[${i}]`, depth + 1, maxDepth);
			if (problem) return problem;
		}
		return null;
	}
	if (!isPlainObject(value)) return `${at(path)}is not plain JSON data.`;
	for (const key of Object.keys(value)) {
		if (RESERVED_KEYS.has(key)) return `use the reserved key "${key}"; rename it.`;
		const problem = walk(value[key], path ? `${path}.${key}` : key, depth + 1, maxDepth);
		if (problem) return problem;
	}
	return null;
}

const at = (path: string) => (path ? `${path} ` : '');

/** An object literal or JSON.parse result: no class, no prototype swapped in. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}
