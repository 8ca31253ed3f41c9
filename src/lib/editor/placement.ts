/** The MIME type a palette drag carries, so drops of anything else onto the canvas are ignored. */
export const MODEL_DRAG_TYPE = 'application/x-panic-model';

/** Roughly a model node's size: a new node is centred on the spot asked for. */
export const NODE_SIZE = { width: 200, height: 70 };

/**
 * Room kept free under a new node for the output card a run will hang there, so the first
 * run does not lay a card over whatever was added below it.
 */
export const CARD_ROOM = 170;

/** Space left between a new node and its neighbours. */
const GAP = 24;
/** Candidate spots lie on this grid around the spot asked for. */
const STEP = 20;
/** How far out (in steps) to look before giving up and using the spot asked for. */
const RINGS = 60;

/** A box on the canvas in flow coordinates; a missing size is taken as NODE_SIZE's. */
export interface Box {
	x: number;
	y: number;
	width?: number;
	height?: number;
}

const overlaps = (a: Required<Box>, b: Box) =>
	a.x < b.x + (b.width ?? NODE_SIZE.width) + GAP &&
	b.x < a.x + a.width + GAP &&
	a.y < b.y + (b.height ?? NODE_SIZE.height) + GAP &&
	b.y < a.y + a.height + GAP;

/**
 * The top-left corner for a new node as near as possible to being centred on `centre`
 * without its box (with room for its card) touching any taken box: the boxes are the
 * nodes and notes as the canvas measured them, output cards included. Tapping a model three
 * times gives three nodes side by side, never one on another.
 */
export function freeSpot(centre: { x: number; y: number }, taken: readonly Box[]): { x: number; y: number } {
	const want = { x: Math.round(centre.x - NODE_SIZE.width / 2), y: Math.round(centre.y - NODE_SIZE.height / 2) };
	const box = (x: number, y: number): Required<Box> => ({ x, y, width: NODE_SIZE.width, height: NODE_SIZE.height + CARD_ROOM });
	const free = (x: number, y: number) => !taken.some((t) => overlaps(box(x, y), t));
	if (free(want.x, want.y)) return want;
	// Ring by ring outwards; within a ring the nearest spot wins, ties going right, then down,
	// so a row of taps reads left to right like the network's flow.
	for (let ring = 1; ring <= RINGS; ring++) {
		let best: { x: number; y: number; d: number } | null = null;
		for (let i = -ring; i <= ring; i++) {
			for (const [dx, dy] of [[ring, i], [-ring, i], [i, ring], [i, -ring]]) {
				const x = want.x + dx * STEP;
				const y = want.y + dy * STEP;
				const d = Math.hypot(dx, dy * 1.5) - dx * 0.01 - dy * 0.001;
				if ((!best || d < best.d) && free(x, y)) best = { x, y, d };
			}
		}
		if (best) return { x: best.x, y: best.y };
	}
	return want;
}

/**
 * What the canvas has taken, for freeSpot: each node's measured box (its output card
 * included, since the card hangs inside the node's element), and under every model node the
 * room its card will take once a run reaches it.
 */
export function takenBoxes(nodes: ReadonlyArray<{ type?: string; position: { x: number; y: number }; measured?: { width?: number; height?: number } }>): Box[] {
	return nodes.map((n) => {
		const height = n.measured?.height ?? NODE_SIZE.height;
		return {
			x: n.position.x,
			y: n.position.y,
			width: n.measured?.width ?? NODE_SIZE.width,
			height: n.type === 'model' ? Math.max(height, NODE_SIZE.height + CARD_ROOM) : height
		};
	});
}
