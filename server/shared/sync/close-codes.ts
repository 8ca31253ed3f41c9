/**
 * WebSocket close codes the sync server uses (RFC 6455 §7.4.1). Shared because the editor
 * tells people why its connection closed by the same names the server closes it with.
 */
export const CLOSE = {
	goingAway: 1001,
	unsupportedData: 1003,
	invalidPayload: 1007,
	policyViolation: 1008,
	tooBig: 1009,
	internalError: 1011,
	tryAgainLater: 1013,
	/** Access changed (member removed, role or visibility changed): reconnect to be re-authorized. */
	accessChanged: 4000,
	/** y-websocket 3 treats 4400–4499 as final and stops reconnecting: the session was logged out. */
	loggedOut: 4401,
	/** Final as well: the room is gone. */
	gone: 4410,
	/**
	 * The client's doc is too far behind the room's compacted history to merge (it was away
	 * while others edited the same keys: server/sync/history-compaction.ts). A client must
	 * drop its Y.Doc and provider and connect again with fresh ones. In the final range on
	 * purpose: a stock client stops instead of re-sending the same update from its old doc,
	 * and emits 'closed' for its owner to act on.
	 */
	staleDoc: 4409,
	/**
	 * An update broke the room's write rule (graph shapes and limits), or a presence state was
	 * over its cap. Final on purpose: the client still holds the refused edit and would re-send
	 * it on every reconnect; reloading starts again from the saved graph.
	 */
	refusedUpdate: 4422
} as const;
