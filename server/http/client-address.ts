import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

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

/**
 * The peers whose address header is believed (PANIC_TRUSTED_PROXIES: comma-separated addresses
 * or CIDR ranges, IPv4 or IPv6). `null`: not configured, every peer's header is taken as is
 * (today's behaviour with ADDRESS_HEADER, for a server nobody reaches but its proxy).
 */
export type TrustedProxies = BlockList | null;

export function parseTrustedProxies(text: string | undefined): TrustedProxies {
	const entries = (text ?? '').split(/[\s,]+/).filter(Boolean);
	if (!entries.length) return null;
	const list = new BlockList();
	for (const entry of entries) {
		const [address, bits] = entry.split('/');
		const family = isIP(address);
		if (!family) throw new Error(`PANIC_TRUSTED_PROXIES: ${entry} is not an address or CIDR range.`);
		const type = family === 6 ? 'ipv6' : 'ipv4';
		if (bits === undefined) list.addAddress(address, type);
		else {
			const prefix = Number(bits);
			if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
				throw new Error(`PANIC_TRUSTED_PROXIES: ${entry} has a bad prefix length.`);
			}
			list.addSubnet(address, prefix, type);
		}
	}
	return list;
}

/** Whether the socket peer is one of the trusted proxies (IPv4-mapped IPv6 read as IPv4). */
export function isTrustedPeer(peer: string | undefined, trusted: BlockList): boolean {
	if (!peer) return false;
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peer);
	const address = mapped ? mapped[1] : peer;
	const family = isIP(address);
	return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Makes the configured address header say the socket peer when the peer is not a trusted
 * proxy, before adapter-node or `requestAddress` read it (scripts/serve.js calls this for every
 * request and upgrade). Anyone reaching a process directly, past HAProxy, could otherwise name
 * any address in X-Forwarded-For and step around every per-address limit. A request without
 * the header gets the peer's address in it, whoever the peer is. For X-Forwarded-For
 * the peer is written XFF_DEPTH times, so the entry read at that depth is the peer's.
 */
export function distrustForwarding(req: IncomingMessage, trusted: TrustedProxies, env: Record<string, string | undefined> = process.env): void {
	const header = (env.ADDRESS_HEADER ?? '').toLowerCase();
	if (!header) return;
	// No header at all (a health check, a script on the proxy's machine): the peer is the
	// client. adapter-node would otherwise fail the request for want of it.
	const absent = req.headers[header] === undefined;
	if (!absent && (!trusted || isTrustedPeer(req.socket.remoteAddress, trusted))) return;
	const peer = req.socket.remoteAddress ?? 'unknown';
	const depth = header === 'x-forwarded-for' ? Math.max(1, parseInt(env.XFF_DEPTH ?? '1', 10) || 1) : 1;
	req.headers[header] = Array.from({ length: depth }, () => peer).join(', ');
}
