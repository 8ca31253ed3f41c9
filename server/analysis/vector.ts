/**
 * Vector helpers for fingerprints. Every local embedder returns L2-normalised vectors, so
 * cosine similarity is a dot product; `cosine` still divides by the norms, because
 * provider embeddings are not always unit length.
 */

/** Scales `values` to unit length in place (a zero vector stays zero) and returns it. */
export function l2Normalise(values: Float64Array | number[]): number[] {
	let sum = 0;
	for (const v of values) sum += v * v;
	const norm = Math.sqrt(sum);
	const out = new Array<number>(values.length);
	for (let i = 0; i < values.length; i++) out[i] = norm > 0 ? values[i] / norm : 0;
	return out;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is zero or their lengths differ. */
export function cosine(a: readonly number[], b: readonly number[]): number {
	if (a.length !== b.length || a.length === 0) return 0;
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	if (na === 0 || nb === 0) return 0;
	// Rounding can push identical unit vectors a hair past 1.
	return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/**
 * Rounds a vector for storage: 6 decimals keep cosines exact to ~1e-6 and make the
 * stored JSON about half as long as full doubles.
 */
export function compact(vector: readonly number[]): number[] {
	return vector.map((v) => Math.round(v * 1e6) / 1e6);
}
