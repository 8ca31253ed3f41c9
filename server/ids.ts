import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** An unguessable id: `bytes` of CSPRNG output in lower-case base32 (15 bytes = 120 bits, 24 chars). */
export function randomId(bytes = 15): string {
	return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}
