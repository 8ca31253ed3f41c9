import QRCode from 'qrcode';
import type { Panic } from '$server/app';
import type { PublicUser } from '$server/auth/sessions';
import { joinCodeJson } from '$server/audience/join-codes';

/** The join code the projector shows now, with its QR code as inline SVG (drawn on the server). */
export async function currentJoinQr(panic: Panic, networkId: string, user: PublicUser, origin: string) {
	const code = joinCodeJson(await panic.audience.currentCode(networkId, user), panic.config.origin ?? origin);
	const svg = await QRCode.toString(code.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
	return { ...code, expiresAt: code.expiresAt.toISOString(), rotatesAt: code.rotatesAt.toISOString(), svg };
}
