import { describe, expect, test } from 'vitest';
import { isLoopbackHost, joinAddress, machineAddresses, reachableAddresses, startupJoinLines, type InterfaceAddress } from './join-address';

/** A laptop on venue Wi-Fi with Docker installed, as os.networkInterfaces() would list it. */
const laptop: InterfaceAddress[] = [
	{ name: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true },
	{ name: 'lo', address: '::1', family: 'IPv6', internal: true },
	{ name: 'docker0', address: '172.17.0.1', family: 'IPv4', internal: false },
	{ name: 'wlan0', address: 'fe80::1c2b:3cff:fe4d:5e6f', family: 'IPv6', internal: false },
	{ name: 'wlan0', address: '2001:db8::20', family: 'IPv6', internal: false },
	{ name: 'wlan0', address: '192.168.1.20', family: 'IPv4', internal: false },
	{ name: 'eth0', address: '169.254.10.10', family: 'IPv4', internal: false },
	{ name: 'eth0', address: '10.0.0.5', family: 4, internal: false }
];
const onlyLoopback = laptop.filter((e) => e.internal);
const at = (href: string) => new URL(href);

describe('isLoopbackHost', () => {
	test.each(['localhost', 'LOCALHOST', 'panic.localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) =>
		expect(isLoopbackHost(host)).toBe(true)
	);
	test.each(['192.168.1.20', '10.0.0.5', '[2001:db8::20]', '::ffff:10.0.0.1', 'panic.example.org', 'localhost.example.org', '128.0.0.1'])('%s is not', (host) =>
		expect(isLoopbackHost(host)).toBe(false)
	);
});

describe('reachableAddresses', () => {
	test('physical IPv4 first, then IPv6, virtual interfaces last; no loopback or link-local', () => {
		expect(reachableAddresses(laptop)).toEqual(['192.168.1.20', '10.0.0.5', '2001:db8::20', '172.17.0.1']);
	});

	test('a machine with only loopback has none', () => {
		expect(reachableAddresses(onlyLoopback)).toEqual([]);
	});

	test('a configured list stands in for the interfaces', () => {
		expect(reachableAddresses(machineAddresses(['192.0.2.7', '2001:db8::7']))).toEqual(['192.0.2.7', '2001:db8::7']);
	});
});

describe('joinAddress', () => {
	test('opened on localhost: the QR uses the first network address, with the others to pick from', () => {
		const join = joinAddress({ requestUrl: at('http://localhost:3000/networks/n/present'), interfaces: laptop });
		expect(join).toEqual({
			origin: 'http://192.168.1.20:3000',
			host: '192.168.1.20:3000',
			openedOnLoopback: true,
			unreachable: false,
			choices: ['http://192.168.1.20:3000', 'http://10.0.0.5:3000', 'http://[2001:db8::20]:3000', 'http://172.17.0.1:3000'],
			source: 'interface'
		});
	});

	test('the facilitator may pick another of the machine’s addresses', () => {
		const join = joinAddress({ requestUrl: at('http://127.0.0.1:3000/'), interfaces: laptop, chosen: 'http://10.0.0.5:3000' });
		expect(join).toMatchObject({ origin: 'http://10.0.0.5:3000', source: 'chosen', openedOnLoopback: true });
	});

	test('a pick that is not one of the choices is ignored (a stranger’s link cannot redirect the QR code)', () => {
		for (const chosen of ['http://evil.example:3000', 'http://10.0.0.5:4000', 'https://192.168.1.20:3000', 'javascript:alert(1)', 'not a url']) {
			expect(joinAddress({ requestUrl: at('http://localhost:3000/'), interfaces: laptop, chosen }).origin).toBe('http://192.168.1.20:3000');
		}
	});

	test('ORIGIN wins, with no warning, and stays a choice beside the interfaces', () => {
		const join = joinAddress({ requestUrl: at('https://panic.example.org/x'), configuredOrigin: 'https://panic.example.org/', interfaces: laptop });
		expect(join).toMatchObject({ origin: 'https://panic.example.org', openedOnLoopback: false, unreachable: false, source: 'origin-env' });
		expect(join.choices[0]).toBe('https://panic.example.org');
	});

	test('ORIGIN set to localhost is still flagged as unreachable', () => {
		const join = joinAddress({ requestUrl: at('http://localhost:3000/'), configuredOrigin: 'http://localhost:3000', interfaces: laptop });
		expect(join).toMatchObject({ origin: 'http://localhost:3000', unreachable: true });
	});

	test('opened on a network address: that address, no warning', () => {
		const join = joinAddress({ requestUrl: at('http://192.168.1.20:3000/'), interfaces: laptop });
		expect(join).toMatchObject({ origin: 'http://192.168.1.20:3000', openedOnLoopback: false, unreachable: false, source: 'request' });
	});

	test('opened on localhost with no network at all: the loopback origin, flagged unreachable', () => {
		const join = joinAddress({ requestUrl: at('http://localhost:3000/'), interfaces: onlyLoopback });
		expect(join).toMatchObject({ origin: 'http://localhost:3000', openedOnLoopback: true, unreachable: true, choices: [], source: 'loopback' });
	});

	test('IPv6 addresses are bracketed, and the default port is left out', () => {
		const join = joinAddress({ requestUrl: at('http://[::1]/'), interfaces: machineAddresses(['2001:db8::7']) });
		expect(join.origin).toBe('http://[2001:db8::7]');
		expect(join.host).toBe('[2001:db8::7]');
	});
});

describe('startupJoinLines', () => {
	test('names the first network address, and the others', () => {
		expect(startupJoinLines({ host: '0.0.0.0', port: 3000, interfaces: laptop })).toEqual([
			'phones on the same network join at http://192.168.1.20:3000/j (or http://10.0.0.5:3000, http://[2001:db8::20]:3000, http://172.17.0.1:3000)'
		]);
	});
	test('ORIGIN, a loopback-only listener and no network each say so', () => {
		expect(startupJoinLines({ origin: 'https://panic.example.org/', host: '0.0.0.0', port: 3000, interfaces: laptop })).toEqual([
			'phones join at https://panic.example.org/j (ORIGIN)'
		]);
		expect(startupJoinLines({ host: '127.0.0.1', port: 3000, interfaces: laptop })[0]).toMatch(/^listening on 127\.0\.0\.1 only: phones cannot reach it/);
		expect(startupJoinLines({ host: '0.0.0.0', port: 3000, interfaces: onlyLoopback })[0]).toMatch(/^no network address/);
	});
});
