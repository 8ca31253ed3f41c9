import { cosine } from './vector';

export interface ClusterPoint {
	seq: number;
	kind: 'text' | 'image' | 'audio';
	vector: readonly number[];
}

export interface Cluster {
	id: number;
	size: number;
	representativeSeq: number;
	seqs: number[];
	kind: 'text' | 'image' | 'audio';
}

/**
 * Attractor candidates: leader clustering, deterministic and one pass. Points are taken in
 * seq order; each joins the first cluster (same modality) whose leader it resembles at
 * `threshold(kind)` or more, else leads a new one. The representative is the medoid (the
 * member most similar to the others in sum; ties to the earliest). Biggest first, then by
 * first seq; ids number them in that order from 1. Quadratic only within a cluster's medoid.
 */
export function clusterOutputs(points: readonly ClusterPoint[], threshold: (kind: ClusterPoint['kind']) => number): Cluster[] {
	const groups: Array<{ kind: ClusterPoint['kind']; leader: readonly number[]; members: ClusterPoint[] }> = [];
	for (const point of [...points].sort((a, b) => a.seq - b.seq)) {
		const cut = threshold(point.kind);
		const home = groups.find((g) => g.kind === point.kind && cosine(g.leader, point.vector) >= cut);
		if (home) home.members.push(point);
		else groups.push({ kind: point.kind, leader: point.vector, members: [point] });
	}
	return groups
		.map((g) => ({ kind: g.kind, seqs: g.members.map((m) => m.seq), representativeSeq: medoid(g.members), size: g.members.length }))
		.sort((a, b) => b.size - a.size || a.seqs[0] - b.seqs[0])
		.map((c, i) => ({ id: i + 1, size: c.size, representativeSeq: c.representativeSeq, seqs: c.seqs, kind: c.kind }));
}

/** Big clusters are sampled for the medoid: 200 members say where the middle is. */
const MEDOID_SAMPLE = 200;

function medoid(members: readonly ClusterPoint[]): number {
	if (members.length <= 2) return members[0].seq;
	const stride = Math.max(1, members.length / MEDOID_SAMPLE);
	const sample: ClusterPoint[] = [];
	for (let i = 0; i < members.length; i += stride) sample.push(members[Math.floor(i)]);
	let best = sample[0];
	let bestSum = -Infinity;
	for (const candidate of sample) {
		let sum = 0;
		for (const other of sample) sum += cosine(candidate.vector, other.vector);
		if (sum > bestSum + 1e-12) {
			best = candidate;
			bestSum = sum;
		}
	}
	return best.seq;
}
