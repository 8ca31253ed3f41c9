import { describe, expect, test } from 'vitest';
import { routeEdge, type Point, type Rect } from '$lib/editor/edge-route';

/** A model node 200 wide with its box 70 tall and a card under it: 300 tall in all. */
const node = (x: number, y: number, height = 300): Rect => ({ x, y, width: 200, height });
const outOf = (r: Rect): Point => ({ x: r.x + r.width + 8, y: r.y + 35 });
const inOf = (r: Rect): Point => ({ x: r.x - 8, y: r.y + 35 });

/** Points every 2 px along the corners' polyline (the rounding only cuts corners by 12 px). */
function along(corners: Point[]): Point[] {
	const out: Point[] = [];
	for (let i = 1; i < corners.length; i++) {
		const [a, b] = [corners[i - 1], corners[i]];
		const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 2));
		for (let k = 0; k <= n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
	}
	return out;
}
const crosses = (points: Point[], boxes: Rect[]) => points.some((p) => boxes.some((r) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height));

describe('routeEdge', () => {
	test('an edge with nothing in its way is the usual curve', () => {
		const [a, b] = [node(0, 0), node(400, 0)];
		const route = routeEdge(outOf(a), inOf(b), [a, b]);
		expect(route.path).toMatch(/ C /);
		expect(route.corners).toBeUndefined();
	});

	test('a loop back to an earlier node goes around both nodes and their cards', () => {
		const [a, b] = [node(0, 0), node(400, 0)];
		const route = routeEdge(outOf(b), inOf(a), [a, b]);
		expect(route.corners).toBeDefined();
		expect(crosses(along(route.corners!), [a, b])).toBe(false);
		// Over the top, not under the cards: that is the shorter way round.
		expect(Math.min(...route.corners!.map((p) => p.y))).toBeLessThan(0);
	});

	test('a three-node loop: no edge runs across a card', () => {
		const [a, b, c] = [node(0, 0), node(400, 0), node(200, 420)];
		const boxes = [a, b, c];
		for (const [from, to] of [[a, b], [b, c], [c, a]] as const) {
			const route = routeEdge(outOf(from), inOf(to), boxes);
			if (route.corners) expect(crosses(along(route.corners), boxes)).toBe(false);
			else expect(route.path).toMatch(/ C /);
		}
		// The curve from b down-left to c would have cut through b's card: it goes around.
		expect(routeEdge(outOf(b), inOf(c), boxes).corners).toBeDefined();
	});

	test('an edge from a node to itself arcs over its box', () => {
		const a = node(0, 0);
		const route = routeEdge(outOf(a), inOf(a), [a]);
		expect(crosses(along(route.corners!), [a])).toBe(false);
		expect(Math.min(...route.corners!.map((p) => p.y))).toBeLessThan(a.y);
	});
});

test('two edges of a loop through the same gap take different lanes', () => {
	const [paint, caption, assoc] = [node(0, 0, 240), node(420, 0, 150), node(200, 380, 150)];
	const boxes = [paint, caption, assoc];
	const down = routeEdge(outOf(caption), inOf(assoc), boxes).corners!;
	const back = routeEdge(outOf(assoc), inOf(paint), boxes).corners!;
	const lanes = (points: Point[]) => points.slice(1, -1).filter((p, i, all) => i > 0 && all[i - 1].y === p.y).map((p) => p.y);
	expect(lanes(down).some((y) => lanes(back).includes(y))).toBe(false);
});
