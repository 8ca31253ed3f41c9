/**
 * Where an edge is drawn: from a node's output (its right side) to a node's input (its left
 * side) without running across any node or output card on the way. Pure geometry in flow
 * coordinates, so it is tested without a browser; PanicEdge draws the result.
 *
 * Most edges are the usual bezier curve, as Svelte Flow would draw it. When that curve would
 * cross a box (a loop back to an earlier node, a node in the way, an edge from a node to
 * itself), the edge goes around instead: right out of its node, along a free lane above,
 * below or between the boxes, and into its target from the left, with rounded corners.
 */

export interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface Point {
	x: number;
	y: number;
}

export interface Route {
	/** An SVG path `d`. */
	path: string;
	/** Where a label on the edge goes. */
	labelX: number;
	labelY: number;
	/** The corners of a detour (its path rounds them); absent for the plain curve. */
	corners?: Point[];
}

/** How far a detour keeps from the boxes it goes around. */
const LANE = 24;
/** How much a line may not come nearer a box than: the ports sit this close to their node. */
const CLEAR = 4;
const CORNER = 12;
/** A bend costs this much length: of two routes nearly as long, the straighter wins. */
const BEND = 40;

/** Svelte Flow's bezier control offset (curvature 0.25), so an unobstructed edge looks the same. */
function controlOffset(distance: number): number {
	return distance >= 0 ? 0.5 * distance : 0.25 * 25 * Math.sqrt(-distance);
}

function bezier(s: Point, t: Point): { c1: Point; c2: Point } {
	const offset = controlOffset(t.x - s.x);
	return { c1: { x: s.x + offset, y: s.y }, c2: { x: t.x - offset, y: t.y } };
}

function cubicAt(s: Point, c1: Point, c2: Point, t: Point, u: number): Point {
	const v = 1 - u;
	return {
		x: v * v * v * s.x + 3 * v * v * u * c1.x + 3 * v * u * u * c2.x + u * u * u * t.x,
		y: v * v * v * s.y + 3 * v * v * u * c1.y + 3 * v * u * u * c2.y + u * u * u * t.y
	};
}

const inside = (p: Point, r: Rect, pad: number) => p.x > r.x - pad && p.x < r.x + r.width + pad && p.y > r.y - pad && p.y < r.y + r.height + pad;

/** Whether an axis-aligned segment comes within `pad` of the inside of a box. */
function segmentHits(a: Point, b: Point, r: Rect, pad: number): boolean {
	const [x0, x1] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
	const [y0, y1] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
	return x1 > r.x - pad && x0 < r.x + r.width + pad && y1 > r.y - pad && y0 < r.y + r.height + pad;
}

function bezierClear(s: Point, t: Point, boxes: readonly Rect[]): boolean {
	const { c1, c2 } = bezier(s, t);
	const n = Math.max(16, Math.ceil((Math.abs(t.x - s.x) + Math.abs(t.y - s.y)) / 8));
	for (let i = 1; i < n; i++) {
		const p = cubicAt(s, c1, c2, t, i / n);
		if (boxes.some((r) => inside(p, r, CLEAR))) return false;
	}
	return true;
}

/** The five-part detour s → (x1, s.y) → (x1, y) → (x2, y) → (x2, t.y) → t with the least cost. */
function detour(s: Point, t: Point, boxes: readonly Rect[]): Point[] | null {
	const out = s.x + LANE;
	const into = t.x - LANE;
	const mid = (s.x + t.x) / 2;
	const xs1 = [out, ...boxes.map((r) => r.x + r.width + LANE), ...(mid >= out ? [mid] : [])].filter((x) => x >= out);
	const xs2 = [into, ...boxes.map((r) => r.x - LANE), ...(mid <= into ? [mid] : [])].filter((x) => x <= into);
	const ys = [s.y, t.y, ...boxes.flatMap((r) => [r.y - LANE, r.y + r.height + LANE])];
	const clear = (a: Point, b: Point) => !boxes.some((r) => segmentHits(a, b, r, CLEAR));

	let best: { cost: number; points: Point[] } | null = null;
	for (const x1 of new Set(xs1)) {
		if (!clear(s, { x: x1, y: s.y })) continue;
		for (const y of new Set(ys)) {
			if (!clear({ x: x1, y: s.y }, { x: x1, y })) continue;
			for (const x2 of new Set(xs2)) {
				const points = [s, { x: x1, y: s.y }, { x: x1, y }, { x: x2, y }, { x: x2, y: t.y }, t];
				const length = Math.abs(x1 - s.x) + Math.abs(y - s.y) + Math.abs(x2 - x1) + Math.abs(t.y - y) + Math.abs(t.x - x2);
				// Of equal routes, the lane nearer the target: two edges of a loop that pass the
				// same gap then take different lanes instead of drawing one over the other.
				const cost = length + BEND * bends(points) + 0.01 * Math.abs(y - t.y);
				if (best && cost >= best.cost) continue;
				if (clear(points[2], points[3]) && clear(points[3], points[4]) && clear(points[4], t)) best = { cost, points };
			}
		}
	}
	return best ? simplify(best.points) : null;
}

/** Drops repeated points and points in the middle of a straight run. */
function simplify(points: Point[]): Point[] {
	const out: Point[] = [];
	for (const p of points) {
		const last = out[out.length - 1];
		if (last && Math.abs(last.x - p.x) < 0.01 && Math.abs(last.y - p.y) < 0.01) continue;
		const before = out[out.length - 2];
		if (before && last && ((before.x === last.x && last.x === p.x) || (before.y === last.y && last.y === p.y))) out.pop();
		out.push(p);
	}
	return out;
}

const bends = (points: Point[]) => Math.max(0, simplify(points).length - 2);

/** A polyline as a path whose corners are rounded (never past half a segment). */
function rounded(points: Point[]): string {
	let d = `M ${points[0].x} ${points[0].y}`;
	for (let i = 1; i < points.length - 1; i++) {
		const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
		const r = Math.min(CORNER, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
		const from = toward(b, a, r);
		const to = toward(b, c, r);
		d += ` L ${from.x} ${from.y} Q ${b.x} ${b.y} ${to.x} ${to.y}`;
	}
	const last = points[points.length - 1];
	return `${d} L ${last.x} ${last.y}`;
}

function toward(from: Point, to: Point, distance: number): Point {
	const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
	return { x: from.x + ((to.x - from.x) / length) * distance, y: from.y + ((to.y - from.y) / length) * distance };
}

/**
 * The route of an edge from `s` (an output port, on a box's right side) to `t` (an input
 * port, on a box's left side) among `boxes`, every node's box with its card (the edge's own
 * two included, so a loop back does not cut through them).
 */
export function routeEdge(s: Point, t: Point, boxes: readonly Rect[]): Route {
	if (bezierClear(s, t, boxes)) {
		const { c1, c2 } = bezier(s, t);
		const m = cubicAt(s, c1, c2, t, 0.5);
		return { path: `M ${s.x},${s.y} C ${c1.x},${c1.y} ${c2.x},${c2.y} ${t.x},${t.y}`, labelX: m.x, labelY: m.y };
	}
	const points = detour(s, t, boxes);
	if (!points) {
		// Boxed in on every side: the plain curve is still better than no edge.
		const { c1, c2 } = bezier(s, t);
		const m = cubicAt(s, c1, c2, t, 0.5);
		return { path: `M ${s.x},${s.y} C ${c1.x},${c1.y} ${c2.x},${c2.y} ${t.x},${t.y}`, labelX: m.x, labelY: m.y };
	}
	// The label sits on the longest stretch, where it is easiest to see.
	let at = 0;
	for (let i = 1; i < points.length - 1; i++) {
		if (Math.hypot(points[i + 1].x - points[i].x, points[i + 1].y - points[i].y) > Math.hypot(points[at + 1].x - points[at].x, points[at + 1].y - points[at].y)) at = i;
	}
	return { path: rounded(points), corners: points, labelX: (points[at].x + points[at + 1].x) / 2, labelY: (points[at].y + points[at + 1].y) / 2 };
}
