import QRCode from 'qrcode';
import type { Panic } from '$server/app';
import type { PublicUser } from '$server/auth/sessions';
import { joinAddress, machineAddresses, type JoinAddress } from '$server/audience/join-address';
import { joinCodeJson } from '$server/audience/join-codes';

/**
 * Where phones join, for a page opened at `url`: ORIGIN, the page's own address, or (on
 * localhost) one of this machine's network addresses; `?join=<origin>` picks another of those.
 */
export function joinAddressFor(panic: Panic, url: URL): JoinAddress {
	return joinAddress({
		requestUrl: url,
		configuredOrigin: panic.config.origin,
		interfaces: machineAddresses(panic.config.networkAddresses),
		chosen: url.searchParams.get('join')
	});
}

/** The join code the projector shows now, with its QR code as inline SVG (drawn on the server) and where it points. */
export async function currentJoinQr(panic: Panic, networkId: string, user: PublicUser, url: URL) {
	const address = joinAddressFor(panic, url);
	const code = joinCodeJson(await panic.audience.currentCode(networkId, user), address.origin);
	const svg = await QRCode.toString(code.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
	return { ...code, expiresAt: code.expiresAt.toISOString(), rotatesAt: code.rotatesAt.toISOString(), svg, address };
}
