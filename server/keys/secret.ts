import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The 32-byte key that encrypts provider keys. PANIC_SECRET_KEY (64 hex chars or base64)
 * wins; otherwise a key file is created once in the data directory, readable only by us.
 */
export function loadSecretKey(opts: { secretKey?: string; dataDir: string }): Buffer {
	if (opts.secretKey) return parseSecretKey(opts.secretKey);
	const file = path.join(opts.dataDir, 'secret.key');
	try {
		return parseSecretKey(fs.readFileSync(file, 'utf8').trim());
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	fs.mkdirSync(opts.dataDir, { recursive: true });
	const key = randomBytes(32);
	try {
		// 'wx' fails if another process created it first; then we read theirs.
		fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
		return key;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		return parseSecretKey(fs.readFileSync(file, 'utf8').trim());
	}
}

export function parseSecretKey(text: string): Buffer {
	const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
	if (key.length !== 32) {
		throw new Error('PANIC_SECRET_KEY must be 32 bytes: 64 hex characters or 44 base64 characters.');
	}
	return key;
}
