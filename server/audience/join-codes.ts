import type { Db } from '../db/connect';
import type { Networks } from '../networks/networks';
import type { AudienceSettings } from './settings';

/**
 * Join codes: the short code behind the projector's QR. A code lets people join a network's
 * audience until it expires (`codeValidSeconds`) or the event ends; the projector shows a
 * fresh one every `rotateSeconds`, so a photo of the screen stops working after a while.
 * Codes are stored as they are: they are shown to a room anyway, and only grant a seat in
 * the audience.
 */

/** No 0/O, 1/I/L: people type these off a screen across a hall. 31 symbols. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** 31^10 ≈ 2^49.5: far beyond guessing at any rate the join limiter allows. */
export const CODE_LENGTH = 10;

/** A code's last minute is never shown: someone who scans just before it expires still gets in. */
export const SHOW_MARGIN_MS = 60_000;

export type CodeState = 'valid' | 'expired' | 'revoked';
export type CodeRefusal = 'unknown' | 'expired' | 'revoked';

export interface CodeRow {
	created_at: Date;
	expires_at: Date;
	revoked_at: Date | null;
}

export interface JoinCodeInfo {
	code: string;
	networkId: string;
	createdAt: Date;
	expiresAt: Date;
	/** When the projector should ask for the next code. */
	rotatesAt: Date;
}

export type CodeCheck = { ok: true; code: string; networkId: string } | { ok: false; reason: CodeRefusal };

/** A fresh code from the CSPRNG, without modulo bias (bytes ≥ 248 are redrawn). */
export function generateJoinCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
	const limit = 256 - (256 % CODE_ALPHABET.length);
	let code = '';
	while (code.length < CODE_LENGTH) {
		for (const byte of random(CODE_LENGTH * 2)) {
			if (byte < limit && code.length < CODE_LENGTH) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
		}
	}
	return code;
}

/**
 * What a person typed, as stored: upper case, without the spaces or dashes people add when
 * copying a code off a screen. Null when it cannot be a code at all (so no lookup is spent).
 */
export function normalizeCode(input: string): string | null {
	const code = input.replace(/[\s-]+/g, '').toUpperCase();
	if (code.length !== CODE_LENGTH) return null;
	for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
	return code;
}

/** Whether a code still lets people join at `now`: revocation wins over expiry. */
export function codeState(row: CodeRow, now: number): CodeState {
	if (row.revoked_at) return 'revoked';
	if (now >= row.expires_at.getTime()) return 'expired';
	return 'valid';
}

/** When a code should make way for the next: after `rotateSeconds`, or a margin before it expires. */
export function rotatesAt(row: CodeRow, rotateSeconds: number): Date {
	const byRotation = row.created_at.getTime() + rotateSeconds * 1000;
	const byExpiry = row.expires_at.getTime() - SHOW_MARGIN_MS;
	return new Date(Math.min(byRotation, byExpiry));
}

/** Whether the projector may keep showing this code at `now`. */
export function isShowable(row: CodeRow, now: number, rotateSeconds: number): boolean {
	return codeState(row, now) === 'valid' && now < rotatesAt(row, rotateSeconds).getTime();
}

type CodeSettings = Pick<AudienceSettings, 'rotateSeconds' | 'codeValidSeconds'>;

export class JoinCodes {
	/** Per network, the current() call in progress: two projectors polling at once share one. */
	private pending = new Map<string, Promise<JoinCodeInfo>>();

	constructor(
		private db: Db,
		/** The networks domain, which owns the row whose lock serialises minting. */
		private networks: Pick<Networks, 'withRowLock'>,
		private now: () => number = Date.now
	) {}

	/** Mints a new code for the network, valid for `codeValidSeconds`. */
	async mint(networkId: string, userId: string | null, settings: CodeSettings, db: Db = this.db): Promise<JoinCodeInfo> {
		const createdAt = new Date(this.now());
		const expiresAt = new Date(createdAt.getTime() + settings.codeValidSeconds * 1000);
		for (let attempt = 0; ; attempt++) {
			const code = generateJoinCode();
			const inserted = await db
				.insertInto('join_codes')
				.values({ code, network_id: networkId, created_by: userId, created_at: createdAt, expires_at: expiresAt })
				.onConflict((oc) => oc.column('code').doNothing())
				.executeTakeFirst();
			// A collision needs ~2^25 live codes; retry rather than fail if it ever happens.
			if (inserted.numInsertedOrUpdatedRows === 1n) {
				return info({ code, network_id: networkId, created_at: createdAt, expires_at: expiresAt, revoked_at: null }, settings);
			}
			if (attempt >= 5) throw new Error('Could not mint a unique join code.');
		}
	}

	/**
	 * The code the projector should show: the newest unrevoked one while it is showable,
	 * otherwise a freshly minted one. Safe against two screens asking at once: calls in this
	 * process share one promise, and the check-then-mint runs in a transaction holding the
	 * network's row lock, so two processes cannot both mint either.
	 */
	current(networkId: string, userId: string | null, settings: CodeSettings): Promise<JoinCodeInfo> {
		const inFlight = this.pending.get(networkId);
		if (inFlight) return inFlight;
		const next = this.networks
			.withRowLock(networkId, async (tx) => {
				const newest = await tx
					.selectFrom('join_codes')
					.select(['code', 'network_id', 'created_at', 'expires_at', 'revoked_at'])
					.where('network_id', '=', networkId)
					.where('revoked_at', 'is', null)
					.orderBy('created_at', 'desc')
					.orderBy('code')
					.limit(1)
					.executeTakeFirst();
				if (newest && isShowable(newest, this.now(), settings.rotateSeconds)) return info(newest, settings);
				return this.mint(networkId, userId, settings, tx);
			})
			.finally(() => this.pending.delete(networkId));
		this.pending.set(networkId, next);
		return next;
	}

	/** Which network a typed or scanned code opens, or why it does not. */
	async check(input: string): Promise<CodeCheck> {
		const code = normalizeCode(input);
		if (!code) return { ok: false, reason: 'unknown' };
		const row = await this.db
			.selectFrom('join_codes')
			.select(['network_id', 'created_at', 'expires_at', 'revoked_at'])
			.where('code', '=', code)
			.executeTakeFirst();
		if (!row) return { ok: false, reason: 'unknown' };
		const state = codeState(row, this.now());
		return state === 'valid' ? { ok: true, code, networkId: row.network_id } : { ok: false, reason: state };
	}

	/** Ends every code of the network (the event is over). Returns how many were still unrevoked. */
	async revokeAll(networkId: string): Promise<number> {
		const result = await this.db
			.updateTable('join_codes')
			.set({ revoked_at: new Date(this.now()) })
			.where('network_id', '=', networkId)
			.where('revoked_at', 'is', null)
			.executeTakeFirst();
		return Number(result.numUpdatedRows);
	}
}

function info(row: CodeRow & { code: string; network_id: string }, settings: CodeSettings): JoinCodeInfo {
	return {
		code: row.code,
		networkId: row.network_id,
		createdAt: row.created_at,
		expiresAt: row.expires_at,
		rotatesAt: rotatesAt(row, settings.rotateSeconds)
	};
}

/** A code as the API returns it; `url` is what the QR encodes. */
export function joinCodeJson(code: JoinCodeInfo, origin: string) {
	return { code: code.code, url: `${origin.replace(/\/+$/, '')}/j/${code.code}`, expiresAt: code.expiresAt, rotatesAt: code.rotatesAt };
}
