import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for provider keys at rest. The stored form is `v1:<base64(nonce|ciphertext|tag)>`;
 * the version prefix lets the format change later without guessing. The additional
 * authenticated data binds a ciphertext to its owner and platform, so a ciphertext copied
 * into another user's row (or another platform's) fails to decrypt instead of leaking.
 */
const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class KeyCipher {
	constructor(private readonly key: Buffer) {
		if (key.length !== 32) throw new Error('The provider-key encryption key must be 32 bytes.');
	}

	encrypt(plaintext: string, context: { userId: string; platform: string }): string {
		const nonce = randomBytes(NONCE_BYTES);
		const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
		cipher.setAAD(aad(context));
		const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
		return `${VERSION}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
	}

	/** Throws if the ciphertext was tampered with, moved to another row, or made with another key. */
	decrypt(stored: string, context: { userId: string; platform: string }): string {
		const [version, payload] = stored.split(':', 2);
		if (version !== VERSION || !payload) throw new Error('Unknown provider-key format.');
		const raw = Buffer.from(payload, 'base64');
		if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('Provider-key ciphertext is truncated.');
		const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE_BYTES));
		decipher.setAAD(aad(context));
		decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
		const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
		return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
	}
}

function aad({ userId, platform }: { userId: string; platform: string }): Buffer {
	return Buffer.from(`panic-provider-key:${VERSION}:${userId}:${platform}`, 'utf8');
}
