/** What a display screen shows (server/displays/screens.ts `displaySchema`). */
export type ScreenLayout =
	| { kind: 'grid'; grid: { rows: number; cols: number } }
	| { kind: 'single'; single: { stride: number; offset: number; showRunning: boolean } };
