import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie a browser keeps once it has logged into an account (OWASP's "device cookie"). */
export const DEVICE_COOKIE = 'panic_device';
/** A year: the browser stays known between events. */
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

/**
 * Known devices: a browser that logged into an account carries a token signed for that
 * account, and its log-ins are then counted on their own instead of with its network
 * address. An attacker in the same room, behind the same venue address as the owner, can
 * exhaust that address's log-in attempts but not the owner's browser's; nor is that browser
 * slowed down when the account is guessed at from everywhere. Tokens cannot be made without
 * the server's secret, and one is only handed out for a correct password.
 */
export class KnownDevices {
	private key: Buffer;

	/** `secret`: the app's 32-byte secret; a key of its own is derived from it. */
	constructor(secret: Uint8Array) {
		this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'panic known-device v1', 32));
	}

	/** A token for a browser that just logged into `account` (the normalised email). */
	issue(account: string): string {
		const device = randomBytes(16).toString('base64url');
		return `${device}.${this.sign(account, device)}`;
	}

	/** The device id in `token` when it was issued for `account`; null for anything else. */
	deviceFor(account: string, token: string | null | undefined): string | null {
		const match = /^([\w-]{22})\.([\w-]{43})$/.exec(token ?? '');
		if (!match) return null;
		const [, device, signature] = match;
		const expected = Buffer.from(this.sign(account, device));
		const given = Buffer.from(signature);
		return given.length === expected.length && timingSafeEqual(given, expected) ? device : null;
	}

	private sign(account: string, device: string): string {
		return createHmac('sha256', this.key).update(`${account}\n${device}`).digest('base64url');
	}
}
