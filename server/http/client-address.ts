import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Who a request comes from, as limits see it. Pages and the API get the address from
 * adapter-node (`event.getClientAddress()`); the WebSocket upgrade never passes through the
 * adapter, so `requestAddress` reads the same `ADDRESS_HEADER` / `XFF_DEPTH` settings the
 * adapter reads, and both kinds of request agree on who a client is behind a proxy.
 */
export function requestAddress(req: IncomingMessage, env: Record<string, string | undefined> = process.env): string {
	const header = (env.ADDRESS_HEADER ?? '').toLowerCase();
	if (header) {
		const value = req.headers[header];
		const text = Array.isArray(value) ? value.join(',') : value;
		if (!text) return 'unknown';
		if (header !== 'x-forwarded-for') return text.trim();
		const addresses = text.split(',');
		const depth = Math.max(1, parseInt(env.XFF_DEPTH ?? '1', 10) || 1);
		return (addresses[addresses.length - depth] ?? addresses[0]).trim();
	}
	return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The key a per-address limit counts under. IPv4 (and IPv4-mapped IPv6) is the address
 * itself; IPv6 is its /64, since one subscriber usually holds a whole /64 and could
 * otherwise step past a limit by changing the low bits.
 */
export function addressKey(address: string): string {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) return mapped[1];
	if (isIP(address) !== 6) return address;
	return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
	const [head, tail] = address.split('%')[0].split('::');
	const left = head ? head.split(':') : [];
	const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
	const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
	return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
