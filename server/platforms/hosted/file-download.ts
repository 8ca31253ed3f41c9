import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressOfHost, isPublicAddress } from '../../http/public-address';
import { PlatformError } from '../platform';
import type { FileHostPolicy } from './file-hosts';
import { MAX_OUTPUT_BYTES } from './media';

/**
 * Downloads an output file a provider names, without letting the URL reach anything but a
 * provider's file host: the host must be on the policy's list; unless the operator configured
 * it, every address it resolves to must be public, and the connection goes to exactly the
 * address that was checked (the check runs inside the socket's own DNS lookup, so a name that
 * resolves differently a moment later changes nothing); redirects are followed by hand, a few
 * at most, each one checked the same way.
 *
 * Whatever goes wrong, people see one sentence, so an output URL cannot be used to learn what
 * answers inside the network; the log keeps the reason.
 */
export const OUTPUT_DOWNLOAD_FAILED = "The provider's output file could not be downloaded.";

export interface DownloadOptions {
	policy: FileHostPolicy;
	signal: AbortSignal;
	/** Who named the URL, for the log (e.g. "Replicate model FLUX schnell"). */
	source: string;
	maxBytes?: number;
	/** Redirects followed (each to an allowed host). Default 3. */
	maxRedirects?: number;
	/** A connection that sends nothing for this long is dropped. Default 30 s. */
	idleTimeoutMs?: number;
	log?: Pick<Console, 'warn'>;
}

export async function downloadOutput(url: string, options: DownloadOptions): Promise<Uint8Array> {
	const { signal } = options;
	if (/^data:/i.test(url)) return decodeDataUri(url, options.source);
	try {
		return await follow(url, options);
	} catch (error) {
		if (signal.aborted) throw signal.reason;
		const failure = error instanceof DownloadFailure ? error : new DownloadFailure(reasonOf(error), 'unavailable');
		(options.log ?? console).warn(`[platforms] ${options.source}: output file not downloaded from ${hostOf(url)}: ${failure.message}`);
		throw new PlatformError(OUTPUT_DOWNLOAD_FAILED, { kind: failure.kind, cause: failure });
	}
}

/** Why a download failed (for the log) and whether another attempt could help. */
class DownloadFailure extends Error {
	constructor(
		message: string,
		readonly kind: 'invalid_output' | 'unavailable'
	) {
		super(message);
		this.name = 'DownloadFailure';
	}
}
const refused = (why: string) => new DownloadFailure(why, 'invalid_output');

async function follow(start: string, options: DownloadOptions): Promise<Uint8Array> {
	const maxRedirects = options.maxRedirects ?? 3;
	let url = parse(start);
	for (let redirects = 0; ; redirects++) {
		const response = await get(url, options);
		const status = response.statusCode ?? 0;
		if (status >= 300 && status < 400 && status !== 304) {
			response.destroy();
			const location = response.headers.location;
			if (!location) throw refused(`a ${status} without a Location`);
			if (redirects >= maxRedirects) throw refused(`more than ${maxRedirects} redirects`);
			url = parse(location, url);
			continue;
		}
		if (status !== 200) {
			response.destroy();
			throw new DownloadFailure(`status ${status}`, status >= 500 || status === 429 ? 'unavailable' : 'invalid_output');
		}
		return readBody(response, options.maxBytes ?? MAX_OUTPUT_BYTES);
	}
}

function parse(text: string, base?: URL): URL {
	let url: URL;
	try {
		url = new URL(text, base);
	} catch {
		throw refused('not a URL');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(`the ${url.protocol} scheme`);
	return url;
}

/** One GET to an allowed host, connected only to an address the policy accepts. */
function get(url: URL, options: DownloadOptions): Promise<IncomingMessage> {
	const verdict = options.policy.verdict(url);
	if (verdict === 'refused') throw refused(`${url.host} is not a provider file host`);
	const literal = addressOfHost(url.hostname);
	if (verdict === 'public' && literal !== null && !isPublicAddress(literal)) throw refused(`${literal} is not a public address`);
	const client = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const request = client.get(
			url,
			{
				// A fresh connection: nothing pooled from an earlier check is reused.
				agent: false,
				lookup: verdict === 'public' ? publicOnlyLookup : undefined,
				signal: options.signal,
				timeout: options.idleTimeoutMs ?? 30_000,
				headers: { accept: '*/*', 'user-agent': 'PANIC' }
			},
			resolve
		);
		request.on('timeout', () => request.destroy(new DownloadFailure('no answer in time', 'unavailable')));
		request.on('error', reject);
	});
}

/**
 * `dns.lookup` that fails unless every address the name resolves to is public. It is the
 * socket's own lookup, so the address checked is the address connected to.
 */
const publicOnlyLookup = ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
	dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
		if (error) return callback(error);
		const bad = addresses.find((a) => !isPublicAddress(a.address));
		if (bad || addresses.length === 0) return callback(refused(`${hostname} resolves to ${bad?.address ?? 'nothing'}, not a public address`));
		if (options.all) callback(null, addresses);
		else callback(null, addresses[0].address, addresses[0].family);
	});
}) as unknown as LookupFunction;

async function readBody(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
	const tooLarge = () => refused(`larger than ${maxBytes} bytes`);
	const declared = Number(response.headers['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) {
		response.destroy();
		throw tooLarge();
	}
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of response as AsyncIterable<Buffer>) {
		total += chunk.byteLength;
		if (total > maxBytes) {
			response.destroy();
			throw tooLarge();
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

function decodeDataUri(uri: string, source: string): Uint8Array {
	const match = /^data:[^,;]*(;[^,]*)?,(.*)$/s.exec(uri);
	if (!match) throw new PlatformError(`${source} returned a data URI PANIC could not read.`, { kind: 'invalid_output' });
	return match[1]?.includes(';base64') ? Buffer.from(match[2], 'base64') : Buffer.from(decodeURIComponent(match[2]), 'utf8');
}

const reasonOf = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** The host only: output URLs can carry signed tokens that do not belong in a log. */
function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'an unreadable URL';
	}
}
