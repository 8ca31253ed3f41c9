import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { JoinAddress } from '../shared/join-address';

export type { JoinAddress };

/**
 * Which address the projector's QR code sends phones to. A facilitator who opens PANIC on
 * `localhost` would otherwise hand the room a link to each phone's own loopback, which no phone
 * can reach. So on a loopback address the join link uses one of the machine's network
 * addresses instead (and the pages say so), unless `ORIGIN` names the public address.
 *
 * The facilitator may pick another of those addresses (`?join=` on the present page); a pick
 * is only honoured when it is one of the choices computed here — ORIGIN, the address the page
 * was opened on, or an address of this machine's own interfaces — so a link made by someone
 * else cannot make the QR code point at their host.
 */

/** One address of an interface, as os.networkInterfaces() lists it (name added). */
export interface InterfaceAddress {
	name: string;
	address: string;
	family: 'IPv4' | 'IPv6' | number;
	internal: boolean;
}

/** localhost (and its subdomains), 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host.endsWith('.localhost')) return true;
	if (isIP(host) === 4) return host.startsWith('127.');
	if (isIP(host) === 6) {
		// The URL parser writes IPv6 canonically (0:0:0:0:0:0:0:1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1).
		const canonical = new URL(`http://[${host.split('%')[0]}]`).hostname.slice(1, -1);
		return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(canonical);
	}
	return false;
}

/** Interface names of virtual networks (containers, VMs, VPNs) phones on the venue Wi-Fi do not reach: offered last. */
const VIRTUAL = /^(docker|br-|veth|virbr|vmnet|vboxnet|utun|tun|tap|zt|tailscale|wg|lxc|cni|flannel|podman)/i;

function isIPv4(entry: InterfaceAddress) {
	return entry.family === 'IPv4' || entry.family === 4;
}

/**
 * The machine's addresses phones on the same network could reach, best first: physical
 * interfaces before virtual ones, IPv4 before IPv6 (phones type it, and venue Wi-Fi may lack
 * IPv6). Loopback, link-local (fe80::/10, 169.254/16) and duplicate addresses are left out.
 */
export function reachableAddresses(entries: InterfaceAddress[]): string[] {
	const usable = entries.filter((e) => {
		if (e.internal || isLoopbackHost(e.address)) return false;
		if (isIPv4(e)) return !e.address.startsWith('169.254.');
		return !/^fe[89ab]/i.test(e.address);
	});
	const rank = (e: InterfaceAddress) => (VIRTUAL.test(e.name) ? 2 : 0) + (isIPv4(e) ? 0 : 1);
	const sorted = usable.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i);
	return [...new Set(sorted.map(({ e }) => e.address.split('%')[0]))];
}

/** This machine's interface addresses, or the configured list instead (tests, containers). */
export function machineAddresses(configured?: string[]): InterfaceAddress[] {
	if (configured) {
		return configured.map((address) => ({ name: 'configured', address, family: isIP(address) === 6 ? 'IPv6' : 'IPv4', internal: false }));
	}
	return Object.entries(networkInterfaces()).flatMap(([name, list]) => (list ?? []).map((e) => ({ name, address: e.address, family: e.family, internal: e.internal })));
}

/** `http://192.168.1.20:3000`, `http://[2001:db8::1]:3000`: an address with the page's scheme and port. */
export function originAt(address: string, like: URL): string {
	const host = isIP(address) === 6 ? `[${address}]` : address;
	return new URL(`${like.protocol}//${host}${like.port ? `:${like.port}` : ''}`).origin;
}

function normalizeOrigin(value: string | null | undefined): string | null {
	if (!value) return null;
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
	} catch {
		return null;
	}
}

/**
 * The join address for a page opened at `requestUrl`. `chosen` is the facilitator's pick
 * (ignored unless it is one of the choices); `configuredOrigin` is ORIGIN.
 */
export function joinAddress({
	requestUrl,
	configuredOrigin,
	interfaces,
	chosen
}: {
	requestUrl: URL;
	configuredOrigin?: string;
	interfaces: InterfaceAddress[];
	chosen?: string | null;
}): JoinAddress {
	const configured = normalizeOrigin(configuredOrigin);
	const openedOnLoopback = !configured && isLoopbackHost(requestUrl.hostname);
	const request = isLoopbackHost(requestUrl.hostname) ? null : requestUrl.origin;
	const machine = reachableAddresses(interfaces).map((address) => originAt(address, requestUrl));
	const choices = [...new Set([configured, request, ...machine].filter((o): o is string => !!o))];

	const pick = normalizeOrigin(chosen);
	let origin: string;
	let source: JoinAddress['source'];
	if (pick && choices.includes(pick)) [origin, source] = [pick, 'chosen'];
	else if (configured) [origin, source] = [configured, 'origin-env'];
	else if (request) [origin, source] = [request, 'request'];
	else if (machine.length) [origin, source] = [machine[0], 'interface'];
	else [origin, source] = [requestUrl.origin, 'loopback'];

	const url = new URL(origin);
	return {
		origin,
		host: url.host,
		openedOnLoopback,
		unreachable: isLoopbackHost(url.hostname),
		choices,
		source
	};
}

/**
 * What the server prints at start-up about joining, so a facilitator who starts PANIC in a
 * terminal sees at once where phones go (or why they cannot): `host` and `port` are what the
 * server listens on.
 */
export function startupJoinLines({ origin, host, port, interfaces }: { origin?: string; host: string; port: number; interfaces: InterfaceAddress[] }): string[] {
	if (origin) return [`phones join at ${origin.replace(/\/+$/, '')}/j (ORIGIN)`];
	if (isLoopbackHost(host)) return [`listening on ${host} only: phones cannot reach it (HOST=0.0.0.0 listens on every network)`];
	const like = new URL(`http://localhost:${port}`);
	const [first, ...others] = reachableAddresses(interfaces).map((address) => originAt(address, like));
	if (!first) return ['no network address: phones cannot join until this computer is on the venue’s network (or ORIGIN is set)'];
	return [`phones on the same network join at ${first}/j${others.length ? ` (or ${others.join(', ')})` : ''}`];
}
