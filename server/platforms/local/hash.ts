/**
 * FNV-1a, 32-bit: a tiny, stable string hash. The local models use it wherever they
 * need "arbitrary but repeatable" choices, so the same input always gives the same
 * output (no Math.random anywhere). FNV's low bits mix poorly for short words (and
 * we take `hash % n`), so the result goes through murmur3's final avalanche step.
 */
export function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85ebca6b);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xc2b2ae35);
	hash ^= hash >>> 16;
	return hash >>> 0;
}

/** A repeatable stream of numbers seeded from a string (xorshift32 over the FNV hash). */
export function seededSequence(seed: string): () => number {
	let state = fnv1a(seed) || 0x9e3779b9;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		return state;
	};
}
