/** The MIME type a palette drag carries, so drops of anything else onto the canvas are ignored. */
export const MODEL_DRAG_TYPE = 'application/x-panic-model';

/** Roughly a model node's size: a new node is centred on the spot asked for. */
export const NODE_SIZE = { width: 200, height: 70 };

const STEP = 28;

/**
 * Where to put a new node so it is centred on `centre` without landing exactly on top of
 * one already there: tapping a model three times gives three visible nodes, cascaded.
 */
export function freeSpot(centre: { x: number; y: number }, taken: Array<{ x: number; y: number }>): { x: number; y: number } {
	let spot = { x: centre.x - NODE_SIZE.width / 2, y: centre.y - NODE_SIZE.height / 2 };
	for (let i = 0; i < 20 && taken.some((t) => Math.abs(t.x - spot.x) < STEP / 2 && Math.abs(t.y - spot.y) < STEP / 2); i++) {
		spot = { x: spot.x + STEP, y: spot.y + STEP };
	}
	return spot;
}
