/**
 * Where cards go on display screens, as pure functions without dependencies, so display
 * pages in the browser use the very same rules as the server (screens.ts re-exports them).
 */

/** Where a grid card goes: slots fill in order and wrap, so the oldest tile is replaced next. */
export function gridSlot(cardIndex: number, rows: number, cols: number): number {
	return cardIndex % (rows * cols);
}

/** Whether a `single` screen shows the invocation with this seq. */
export function singleShows(seq: number, stride: number, offset: number): boolean {
	return seq % stride === offset;
}
