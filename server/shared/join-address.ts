/** Where the projector's QR code sends phones, and what the pages say about it (server/audience/join-address.ts computes it). */
export interface JoinAddress {
	/** The origin the QR code and the typed address use, e.g. `http://192.168.1.20:3000`. */
	origin: string;
	/** The same without the scheme, for people to type: `192.168.1.20:3000`. */
	host: string;
	/** The page was opened on a loopback address and ORIGIN is not set: the pages say so. */
	openedOnLoopback: boolean;
	/** The QR code itself points at a loopback address (no network address to offer): no phone can join by it. */
	unreachable: boolean;
	/** Origins the facilitator may pick for the QR code, best first (the current one included). */
	choices: string[];
	/** Where `origin` came from. */
	source: 'chosen' | 'origin-env' | 'request' | 'interface' | 'loopback';
}
