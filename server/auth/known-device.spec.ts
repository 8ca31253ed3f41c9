import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { KnownDevices } from './known-device';

describe('KnownDevices', () => {
	const devices = new KnownDevices(randomBytes(32));

	test('a token names its device for the account it was issued for, and for no other', () => {
		const token = devices.issue('ada@example.org');
		expect(token).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
		const device = devices.deviceFor('ada@example.org', token);
		expect(device).toBe(token.split('.')[0]);
		expect(devices.deviceFor('bob@example.org', token)).toBeNull();
		expect(devices.issue('ada@example.org')).not.toBe(token); // one device id per log-in
	});

	test('tampered, truncated, foreign or missing tokens name nothing', () => {
		const token = devices.issue('ada@example.org');
		const [device, signature] = token.split('.');
		const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');
		for (const bad of [
			`${device}.${flipped}`,
			`${'x'.repeat(22)}.${signature}`,
			token.slice(0, -1),
			`${token}x`,
			new KnownDevices(randomBytes(32)).issue('ada@example.org'), // another server's secret
			'',
			undefined,
			null,
			'not.a.token'
		]) {
			expect(devices.deviceFor('ada@example.org', bad)).toBeNull();
		}
	});

	test('the same secret recognises tokens across restarts', () => {
		const secret = randomBytes(32);
		const token = new KnownDevices(secret).issue('ada@example.org');
		expect(new KnownDevices(secret).deviceFor('ada@example.org', token)).toBe(token.split('.')[0]);
	});
});
