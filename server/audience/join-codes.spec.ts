import { describe, expect, test } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, codeState, generateJoinCode, isShowable, normalizeCode, rotatesAt, SHOW_MARGIN_MS } from './join-codes';

const t0 = Date.UTC(2025, 0, 1, 12);
const row = (createdAt: number, validSeconds: number, revokedAt: number | null = null) => ({
	created_at: new Date(createdAt),
	expires_at: new Date(createdAt + validSeconds * 1000),
	revoked_at: revokedAt === null ? null : new Date(revokedAt)
});

describe('generateJoinCode', () => {
	test('10 symbols from an alphabet without 0, O, 1, I or L', () => {
		expect(CODE_ALPHABET).not.toMatch(/[0O1IL]/);
		expect(CODE_ALPHABET.length).toBe(31);
		for (let i = 0; i < 200; i++) {
			const code = generateJoinCode();
			expect(code).toHaveLength(CODE_LENGTH);
			expect(code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
		}
		// ~49.5 bits: 200 draws never repeat.
		expect(new Set(Array.from({ length: 200 }, () => generateJoinCode())).size).toBe(200);
	});
	test('bytes that would bias the draw are redrawn, not folded', () => {
		let call = 0;
		// First call: all 255 (rejected, since 255 >= 248); then zeros: all the first symbol.
		const code = generateJoinCode((n) => new Uint8Array(n).fill(call++ === 0 ? 255 : 0));
		expect(code).toBe(CODE_ALPHABET[0].repeat(10));
	});
});

describe('normalizeCode', () => {
	test('forgives case, spaces and dashes; refuses impossible codes', () => {
		expect(normalizeCode('abcd-efgh 23')).toBe('ABCDEFGH23');
		expect(normalizeCode('ABCDEFGH2')).toBeNull();
		expect(normalizeCode('ABCDEFGH2O')).toBeNull(); // O is not in the alphabet
		expect(normalizeCode('')).toBeNull();
	});
});

describe('codeState', () => {
	test('valid until the expiry instant, then expired', () => {
		const r = row(t0, 3600);
		expect(codeState(r, t0)).toBe('valid');
		expect(codeState(r, t0 + 3600_000 - 1)).toBe('valid');
		expect(codeState(r, t0 + 3600_000)).toBe('expired');
		expect(codeState(r, t0 + 10 * 3600_000)).toBe('expired');
	});
	test('revocation wins over validity and over expiry', () => {
		expect(codeState(row(t0, 3600, t0 + 5), t0 + 10)).toBe('revoked');
		expect(codeState(row(t0, 3600, t0 + 5), t0 + 7200_000)).toBe('revoked');
		// Revoked "in the future" still counts: revocation is a flag, not a schedule.
		expect(codeState(row(t0, 3600, t0 + 1000), t0)).toBe('revoked');
	});
});

describe('rotation', () => {
	test('a code rotates after rotateSeconds', () => {
		const r = row(t0, 3600);
		expect(rotatesAt(r, 300).getTime()).toBe(t0 + 300_000);
		expect(isShowable(r, t0 + 299_999, 300)).toBe(true);
		expect(isShowable(r, t0 + 300_000, 300)).toBe(false);
	});
	test('a code whose validity is shorter than the rotation rotates a margin before it expires', () => {
		const r = row(t0, 180);
		expect(rotatesAt(r, 300).getTime()).toBe(t0 + 180_000 - SHOW_MARGIN_MS);
		expect(isShowable(r, t0 + 119_999, 300)).toBe(true);
		expect(isShowable(r, t0 + 120_000, 300)).toBe(false);
		// Still valid to join with during that last minute.
		expect(codeState(r, t0 + 150_000)).toBe('valid');
	});
	test('revoked or expired codes are never shown', () => {
		expect(isShowable(row(t0, 3600, t0), t0 + 1, 300)).toBe(false);
		expect(isShowable(row(t0 - 7200_000, 3600), t0, 86_400)).toBe(false);
	});
});
