import type { ProviderConfig } from '../clients';

/**
 * Which hosts PANIC downloads provider output files from. A provider's answer (or a custom
 * Replicate model's, whose output is whatever its author makes it) names a URL; only these
 * hosts are fetched, so an output cannot point the server at anything else.
 *
 * - Replicate serves prediction outputs from `https://replicate.delivery/<bucket>/…` and, for
 *   older models, bucket subdomains such as `pbxt.replicate.delivery`.
 * - OpenAI's Images API answers with a `url` on Azure blob storage
 *   (`oaidalleapiprodscus.blob.core.windows.net`) unless asked for `b64_json`, as PANIC asks.
 * - Hugging Face serves files from `huggingface.co` and its CDNs (`cdn-lfs.huggingface.co`,
 *   `cdn-lfs-us-1.hf.co`, `cas-bridge.xethub.hf.co`).
 *
 * These must also resolve to public addresses (see `isPublicAddress`). The origins of the
 * operator's `*_BASE_URL`s and the hosts in `PANIC_OUTPUT_HOSTS` are trusted as configured:
 * an operator may run a proxy, or tests a fake provider, on a private address.
 */
export const PROVIDER_FILE_HOSTS: readonly string[] = [
	'replicate.delivery',
	'*.replicate.delivery',
	'oaidalleapiprodscus.blob.core.windows.net',
	'huggingface.co',
	'*.huggingface.co',
	'hf.co',
	'*.hf.co'
];

/** `trusted`: connect as configured; `public`: connect only to public addresses; `refused`: never. */
export type HostVerdict = 'trusted' | 'public' | 'refused';

export interface FileHostPolicy {
	verdict(url: URL): HostVerdict;
}

interface HostRule {
	protocol: string;
	hostname: string;
	/** `''` for the protocol's default port, as `URL.port` has it. */
	port: string;
	subdomains: boolean;
	trusted: boolean;
}

/**
 * A rule from `host`, `*.host` (its subdomains), `host:port` or `scheme://host[:port]`. Without
 * a scheme the rule is for https on the default port. Null for an entry that names no host.
 */
export function hostRule(entry: string, trusted: boolean): HostRule | null {
	let text = entry.trim();
	const subdomains = /^(\w+:\/\/)?\*\./.test(text);
	if (subdomains) text = text.replace('*.', '');
	if (!/^\w+:\/\//.test(text)) text = `https://${text}`;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return null;
	}
	if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) return null;
	return { protocol: url.protocol, hostname: bareHost(url.hostname), port: url.port, subdomains, trusted };
}

/**
 * The policy: the providers' hosts (public addresses only), plus, trusted, the origins of
 * the configured API base URLs and the operator's extra hosts.
 */
export function fileHostPolicy(options: { baseUrls?: ReadonlyArray<string | undefined>; extraHosts?: readonly string[] } = {}): FileHostPolicy {
	const rules = [
		...(options.baseUrls ?? []).map((url) => (url ? hostRule(url, true) : null)),
		...(options.extraHosts ?? []).map((entry) => hostRule(entry, true)),
		...PROVIDER_FILE_HOSTS.map((entry) => hostRule(entry, false))
	].filter((rule): rule is HostRule => rule !== null);
	return {
		verdict(url) {
			const host = bareHost(url.hostname);
			const matches = rules.filter(
				(r) => r.protocol === url.protocol && r.port === url.port && (r.subdomains ? host.endsWith(`.${r.hostname}`) : host === r.hostname)
			);
			if (matches.some((r) => r.trusted)) return 'trusted';
			return matches.length ? 'public' : 'refused';
		}
	};
}

/** The policy of a deployment: its providers' base URLs and its `PANIC_OUTPUT_HOSTS`. */
export function providerFileHosts(config: ProviderConfig): FileHostPolicy {
	return fileHostPolicy({ baseUrls: [config.replicateBaseUrl, config.openaiBaseUrl, config.hfBaseUrl], extraHosts: config.outputHosts });
}

/** A fully qualified name's trailing dot names the same host. */
const bareHost = (hostname: string) => hostname.replace(/\.$/, '');
