export type SyncStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** The parts of y-websocket's WebsocketProvider the status needs (so tests can fake it). */
export interface ProviderLike {
	wsconnected: boolean;
	synced: boolean;
	on(event: 'status' | 'sync' | 'closed' | 'connection-close', fn: (...args: never[]) => void): void;
	off(event: 'status' | 'sync' | 'closed' | 'connection-close', fn: (...args: never[]) => void): void;
}

export interface StatusFacts {
	/** The socket is open and the first sync round trip has completed. */
	synced: boolean;
	/** A socket attempt failed or an open one closed at least once. */
	hadTrouble: boolean;
	/** The browser says it has no network, or the server closed for good (4400–4499). */
	offline: boolean;
}

/**
 * 'connected' means the canvas shows the shared graph (synced), not merely an open socket.
 * Before the first success it is 'connecting'; after any failure or drop, 'reconnecting'
 * while the provider retries with backoff; 'offline' when retrying cannot help.
 */
export function deriveStatus({ synced, hadTrouble, offline }: StatusFacts): SyncStatus {
	if (offline) return 'offline';
	if (synced) return 'connected';
	return hadTrouble ? 'reconnecting' : 'connecting';
}

/** Calls `onChange` with the status now and whenever it changes; returns a stop function. */
export function watchSyncStatus(
	provider: ProviderLike,
	onChange: (status: SyncStatus) => void,
	win: Pick<Window, 'addEventListener' | 'removeEventListener'> & { navigator: { onLine: boolean } } = window
): () => void {
	let hadTrouble = false;
	let browserOffline = !win.navigator.onLine;
	let closedForGood = false;
	let last: SyncStatus | null = null;
	const update = () => {
		// A deliberate reconnect after a terminal close clears it.
		if (provider.wsconnected) closedForGood = false;
		const status = deriveStatus({
			synced: provider.wsconnected && provider.synced,
			hadTrouble,
			offline: browserOffline || closedForGood
		});
		if (status !== last) onChange((last = status));
	};
	const onTrouble = () => {
		hadTrouble = true;
		update();
	};
	const onClosed = () => {
		closedForGood = true;
		update();
	};
	const onNetwork = () => {
		browserOffline = !win.navigator.onLine;
		update();
	};
	provider.on('status', update);
	provider.on('sync', update);
	provider.on('connection-close', onTrouble);
	provider.on('closed', onClosed);
	win.addEventListener('online', onNetwork);
	win.addEventListener('offline', onNetwork);
	update();
	return () => {
		provider.off('status', update);
		provider.off('sync', update);
		provider.off('connection-close', onTrouble);
		provider.off('closed', onClosed);
		win.removeEventListener('online', onNetwork);
		win.removeEventListener('offline', onNetwork);
	};
}
