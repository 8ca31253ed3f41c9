/**
 * How big a network's graph may be, wherever it comes from: the JSON API (PUT, import), an
 * exported file, or an editor's updates over sync. One set of numbers for every door, so what
 * the canvas holds always exports and imports again. They are part of the file format (a
 * file exported by one PANIC must import into another), which is why they are constants and
 * not settings. Browser-safe: the editor checks them before it makes an edit the server
 * would refuse.
 */
export const GRAPH_LIMITS = {
	maxNodes: 500,
	maxEdges: 2000,
	maxNotes: 500,
	/** Node, edge and note ids: letters, digits, _ and -. */
	maxIdLength: 64,
	maxModelIdLength: 200,
	maxLabelLength: 200,
	maxNoteLength: 5000,
	maxNameLength: 120,
	/** Canvas coordinates stay within ± this. */
	maxCoordinate: 1e6,
	/** A node's params as JSON: the model settings it overrides, never documents. */
	maxParamsBytes: 4096,
	maxParamsDepth: 8,
	/**
	 * The whole graph as JSON (nodes, edges, notes). Well under the API's 1 MB body cap, so an
	 * exported file always fits through the import.
	 */
	maxGraphBytes: 512 * 1024
} as const;
