import { describe, expect, test } from 'vitest';
import { addressOfHost, isPublicAddress } from './public-address';

describe('isPublicAddress', () => {
	test.each([
		// IPv4: loopback, private, shared, link-local and metadata, the odd corners
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback, top of 127/8'],
		['0.0.0.0', 'unspecified (reaches this host)'],
		['0.1.2.3', '"this network"'],
		['10.0.0.1', 'RFC 1918'],
		['10.255.255.255', 'RFC 1918, last'],
		['172.16.0.1', 'RFC 1918'],
		['172.31.255.255', 'RFC 1918, last of 172.16/12'],
		['192.168.1.1', 'RFC 1918'],
		['100.64.0.1', 'carrier-grade NAT'],
		['100.100.100.200', 'Alibaba Cloud metadata (CGNAT)'],
		['100.127.255.255', 'carrier-grade NAT, last'],
		['169.254.169.254', 'cloud metadata (link-local)'],
		['169.254.0.1', 'link-local'],
		['192.0.0.192', 'Oracle Cloud metadata (IETF assignments)'],
		['192.0.2.10', 'TEST-NET-1'],
		['198.18.0.1', 'benchmarking'],
		['198.51.100.7', 'TEST-NET-2'],
		['203.0.113.9', 'TEST-NET-3'],
		['224.0.0.251', 'multicast (mDNS)'],
		['239.255.255.250', 'multicast (SSDP)'],
		['240.0.0.1', 'reserved'],
		['255.255.255.255', 'broadcast'],
		// IPv6
		['::', 'unspecified'],
		['::1', 'loopback'],
		['0:0:0:0:0:0:0:1', 'loopback, long form'],
		['::127.0.0.1', 'IPv4-compatible loopback'],
		['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
		['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
		['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback, long form'],
		['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
		['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex'],
		['::ffff:10.0.0.1', 'IPv4-mapped private'],
		['::ffff:0.0.0.0', 'IPv4-mapped unspecified'],
		['64:ff9b::127.0.0.1', 'NAT64 of loopback'],
		['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
		['64:ff9b:1::1', 'local-use NAT64'],
		['fc00::1', 'unique local'],
		['fd00:ec2::254', 'AWS IPv6 metadata (ULA)'],
		['fd12:3456:789a::1', 'unique local'],
		['fe80::1', 'link-local'],
		['fe80::1%eth0', 'link-local with a zone'],
		['febf::1', 'link-local, top of fe80::/10'],
		['fec0::1', 'site-local'],
		['ff02::1', 'multicast'],
		['2001::1', 'Teredo'],
		['2001:db8::1', 'documentation'],
		['2002:7f00:1::1', '6to4 (of 127.0.0.1)'],
		['100::1', 'discard-only'],
		// Not addresses at all
		['localhost', 'a name'],
		['', 'empty'],
		['127.0.0.1.', 'a trailing dot'],
		['1.2.3', 'not dotted-quad']
	])('%s is not public (%s)', (address) => {
		expect(isPublicAddress(address)).toBe(false);
	});

	test.each([
		['8.8.8.8'],
		['1.1.1.1'],
		['34.117.59.81'],
		['100.63.255.255'], // just below CGNAT
		['100.128.0.0'], // just above CGNAT
		['172.15.255.255'], // just below 172.16/12
		['172.32.0.0'], // just above
		['169.253.255.255'],
		['192.0.1.1'],
		['223.255.255.255'], // last unicast before multicast
		['2606:4700:4700::1111'],
		['2a00:1450:4001:80b::200e'],
		['::ffff:8.8.8.8'], // IPv4-mapped public
		['64:ff9b::808:808'], // NAT64 of 8.8.8.8: how an IPv6-only host reaches IPv4-only CDNs
		['2001:200::1'] // just above 2001::/23
	])('%s is public', (address) => {
		expect(isPublicAddress(address)).toBe(true);
	});
});

describe('addressOfHost (after WHATWG URL parsing) then isPublicAddress', () => {
	const verdict = (url: string) => {
		const address = addressOfHost(new URL(url).hostname);
		return address === null ? 'name' : isPublicAddress(address) ? 'public' : 'refused';
	};

	test.each([
		['http://127.0.0.1/', 'refused'],
		['http://0x7f.1/', 'refused'],
		['http://0x7f000001/', 'refused'],
		['http://017700000001/', 'refused'],
		['http://0177.0.0.1/', 'refused'],
		['http://2130706433/', 'refused'],
		['http://127.1/', 'refused'],
		['http://0/', 'refused'],
		['http://[::1]/', 'refused'],
		['http://[::]/', 'refused'],
		['http://[::ffff:127.0.0.1]/', 'refused'],
		['http://[0:0:0:0:0:ffff:7f00:1]/', 'refused'],
		['http://[::ffff:169.254.169.254]/', 'refused'],
		['http://169.254.169.254/latest/meta-data/', 'refused'],
		['http://0xa9fea9fe/', 'refused'],
		['http://[fd00:ec2::254]/', 'refused'],
		['http://[fe80::1]/', 'refused'],
		['http://[64:ff9b::7f00:1]/', 'refused'],
		['http://10.1/', 'refused'],
		['http://192.168.0.1:8080/', 'refused'],
		['https://8.8.8.8/', 'public'],
		['https://[2606:4700:4700::1111]/', 'public'],
		['http://localhost/', 'name'],
		['http://localhost./', 'name'],
		['https://replicate.delivery/x.png', 'name'],
		['http://127.0.0.1.nip.io/', 'name']
	])('%s → %s', (url, expected) => {
		expect(verdict(url)).toBe(expected);
	});
});
