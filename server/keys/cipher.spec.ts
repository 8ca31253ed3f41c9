import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { KeyCipher } from './cipher';
import { loadSecretKey, parseSecretKey } from './secret';

const cipher = new KeyCipher(randomBytes(32));
const alice = { userId: 'alice', platform: 'openai' };

test('round-trips, with a fresh nonce every time and a version prefix', () => {
	const a = cipher.encrypt('sk-test-1234567890abcdef', alice);
	const b = cipher.encrypt('sk-test-1234567890abcdef', alice);
	expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
	expect(a).not.toBe(b);
	expect(a).not.toContain('1234567890');
	expect(cipher.decrypt(a, alice)).toBe('sk-test-1234567890abcdef');
});

test('fails for another user, another platform, another key, or a flipped bit', () => {
	const stored = cipher.encrypt('secret-value', alice);
	expect(() => cipher.decrypt(stored, { userId: 'bob', platform: 'openai' })).toThrow();
	expect(() => cipher.decrypt(stored, { userId: 'alice', platform: 'replicate' })).toThrow();
	expect(() => new KeyCipher(randomBytes(32)).decrypt(stored, alice)).toThrow();
	const raw = Buffer.from(stored.slice(3), 'base64');
	raw[14] ^= 1;
	expect(() => cipher.decrypt(`v1:${raw.toString('base64')}`, alice)).toThrow();
	expect(() => cipher.decrypt('v2:abc', alice)).toThrow(/format/);
	expect(() => cipher.decrypt('v1:AAAA', alice)).toThrow(/truncated/);
});

test('the secret key comes from PANIC_SECRET_KEY (hex or base64) or a 0600 file made once', () => {
	const hex = 'ab'.repeat(32);
	expect(parseSecretKey(hex)).toEqual(Buffer.from(hex, 'hex'));
	expect(parseSecretKey(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7));
	expect(() => parseSecretKey('too-short')).toThrow(/32 bytes/);

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panic-secret-'));
	const first = loadSecretKey({ dataDir: dir });
	const second = loadSecretKey({ dataDir: dir });
	expect(second).toEqual(first);
	expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
	expect(loadSecretKey({ dataDir: dir, secretKey: hex })).toEqual(Buffer.from(hex, 'hex'));
	fs.rmSync(dir, { recursive: true });
});
