import { BlockList, isIP } from 'node:net';

/**
 * Whether an IP address is on the public internet: the only place a server-side download of
 * a URL that came from outside (a provider's output, a custom model's) may connect to.
 * Everything else could be this machine, the venue's network or the cloud's metadata
 * service, which answer to whoever asks from here.
 */
export function isPublicAddress(address: string): boolean {
	const family = isIP(address);
	// A zone id (`fe80::1%eth0`) only ever names a link-local address.
	if (family === 0 || address.includes('%')) return false;
	return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The IP address a URL's host spells, or null when it names a domain. WHATWG URL parsing has
 * already turned `0x7f.1`, `017700000001`, `2130706433` and `127.1` into `127.0.0.1` and
 * `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`; this only takes the brackets off.
 */
export function addressOfHost(hostname: string): string | null {
	const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
	return isIP(bare) ? bare : null;
}

/** IPv4 ranges that are not the public internet (RFC 6890's special-purpose registry). */
const IPV4: Array<[network: string, prefix: number]> = [
	['0.0.0.0', 8], // "this network"; 0.0.0.0 itself reaches this host
	['10.0.0.0', 8], // private (RFC 1918)
	['100.64.0.0', 10], // carrier-grade NAT (RFC 6598); Alibaba Cloud's metadata is 100.100.100.200
	['127.0.0.0', 8], // loopback
	['169.254.0.0', 16], // link-local: the cloud metadata service 169.254.169.254
	['172.16.0.0', 12], // private
	['192.0.0.0', 24], // IETF protocol assignments; Oracle Cloud's metadata is 192.0.0.192
	['192.0.2.0', 24], // documentation (TEST-NET-1)
	['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
	['192.168.0.0', 16], // private
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24], // documentation (TEST-NET-2)
	['203.0.113.0', 24], // documentation (TEST-NET-3)
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4] // reserved, and the broadcast address 255.255.255.255
];

/** IPv6 ranges that are not the public internet. */
const IPV6: Array<[network: string, prefix: number]> = [
	['::', 128], // unspecified
	['::1', 128], // loopback
	['::', 96], // IPv4-compatible (deprecated): ::127.0.0.1 is loopback by another name
	['64:ff9b:1::', 48], // NAT64 for local use (RFC 8215)
	['100::', 64], // discard-only
	['2001::', 23], // IETF protocol assignments: Teredo tunnels, benchmarking, ORCHID
	['2001:db8::', 32], // documentation
	['2002::', 16], // 6to4: an IPv4 address inside, any of the above
	['fc00::', 7], // unique local (ULA); AWS's IPv6 metadata is fd00:ec2::254
	['fe80::', 10], // link-local
	['fec0::', 10], // site-local (deprecated)
	['ff00::', 8] // multicast
];

/**
 * The IPv4 ranges again as IPv6 spells them: IPv4-mapped (`::ffff:a.b.c.d`, how a dual-stack
 * socket sees IPv4) and NAT64's well-known prefix (`64:ff9b::a.b.c.d`, which a NAT64 gateway
 * forwards to the IPv4 address inside). Public addresses inside either stay reachable.
 */
function embedded(prefix: string): Array<[string, number]> {
	return IPV4.map(([network, bits]) => {
		const [a, b, c, d] = network.split('.').map(Number);
		const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
		return [`${prefix}${hex(a, b)}:${hex(c, d)}`, 96 + bits];
	});
}

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of IPV4) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [...IPV6, ...embedded('::ffff:'), ...embedded('64:ff9b::')]) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
