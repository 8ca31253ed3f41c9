/**
 * Clustering the end states of runs (one modality at a time): leader clustering over points in
 * a fixed order, so the same points in the same order always give the same clusters. Callers
 * order the points by content (see order.ts), which makes the result independent of run ids
 * and timestamps. Points with equal exact hashes are the same output; a point without a vector
 * (a format no embedder reads) can still join a cluster by its exact hash.
 */

export interface EndPoint {
	exactHash: string;
	/** Unit length (normalised by the caller), or null. */
	vector: Float64Array | null;
}

export interface EndCluster {
	/** Indices into the points, ascending. */
	members: number[];
	/** The member most similar to the others in sum (ties to the earliest). */
	medoid: number;
}

/** Similarity of two end points: 1 for equal hashes, the cosine of unit vectors, else 0. */
export function similarity(a: EndPoint, b: EndPoint): number {
	if (a.exactHash === b.exactHash) return 1;
	return a.vector && b.vector ? dot(a.vector, b.vector) : 0;
}

export function dot(a: Float64Array, b: Float64Array): number {
	if (a.length !== b.length) return 0;
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
	return sum;
}

/**
 * Each point joins the first cluster whose leader it resembles at `threshold` or more, else
 * leads a new one. Biggest cluster first, then the one whose first member comes first.
 */
export function clusterEnds(points: readonly EndPoint[], threshold: number): EndCluster[] {
	const groups: Array<{ leader: EndPoint; members: number[] }> = [];
	points.forEach((point, index) => {
		const home = groups.find((g) => similarity(g.leader, point) >= threshold);
		if (home) home.members.push(index);
		else groups.push({ leader: point, members: [index] });
	});
	return groups
		.map((g) => ({ members: g.members, medoid: medoid(points, g.members) }))
		.sort((a, b) => b.members.length - a.members.length || a.members[0] - b.members[0]);
}

/** Basins above this many runs pick their medoid from an even sample (the middle shows by then). */
const MEDOID_SAMPLE = 120;

function medoid(points: readonly EndPoint[], members: readonly number[]): number {
	if (members.length <= 2) return members[0];
	const stride = Math.max(1, members.length / MEDOID_SAMPLE);
	const sample: number[] = [];
	for (let i = 0; i < members.length; i += stride) sample.push(members[Math.floor(i)]);
	let best = sample[0];
	let bestSum = -Infinity;
	for (const candidate of sample) {
		let sum = 0;
		for (const other of sample) sum += similarity(points[candidate], points[other]);
		// Rounding noise must not decide between equals: a tie goes to the earlier member.
		if (sum > bestSum + 1e-9) {
			best = candidate;
			bestSum = sum;
		}
	}
	return best;
}
