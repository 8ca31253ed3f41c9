/**
 * Provider output downloads (issue 11, finding 5) over real local HTTP servers: a file host
 * the policy trusts, and an "internal" server that must never be reached, whether named
 * directly, by another spelling of its address, by a name resolving to it, or by a redirect.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../server/platforms/platform';
import { downloadOutput, OUTPUT_DOWNLOAD_FAILED } from '../../server/platforms/hosted/file-download';
import { fileHostPolicy, type FileHostPolicy } from '../../server/platforms/hosted/file-hosts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; origin: string; port: number; hits: string[] }> {
	const hits: string[] = [];
	const server = createServer((req, res) => {
		hits.push(req.url ?? '');
		handler(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { server, origin: `http://127.0.0.1:${port}`, port, hits };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('downloadOutput', () => {
	let files: Awaited<ReturnType<typeof serve>>;
	let internal: Awaited<ReturnType<typeof serve>>;
	let policy: FileHostPolicy;
	const warnings: string[] = [];
	const log = { warn: (message: string) => void warnings.push(message) };
	const never = () => new AbortController().signal;
	const download = (url: string, options: { policy?: FileHostPolicy; maxBytes?: number; signal?: AbortSignal } = {}) =>
		downloadOutput(url, { policy: options.policy ?? policy, signal: options.signal ?? never(), source: 'Test model', maxBytes: options.maxBytes, log });

	async function refusal(url: string, options: { policy?: FileHostPolicy; maxBytes?: number } = {}): Promise<{ error: PlatformError; logged: string }> {
		const before = warnings.length;
		const error = await download(url, options).then(
			() => {
				throw new Error(`${url} was downloaded`);
			},
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(PlatformError);
		expect((error as PlatformError).message).toBe(OUTPUT_DOWNLOAD_FAILED);
		expect(warnings.length).toBe(before + 1);
		return { error: error as PlatformError, logged: warnings.at(-1)! };
	}

	beforeAll(async () => {
		internal = await serve((_req, res) => res.end('secret'));
		files = await serve((req, res) => {
			const url = new URL(req.url!, 'http://x');
			const to = url.searchParams.get('to');
			if (url.pathname === '/out.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
			if (url.pathname === '/redirect' && to) return res.writeHead(302, { location: to }).end();
			if (url.pathname === '/loop') return res.writeHead(302, { location: '/loop' }).end();
			if (url.pathname === '/big') return res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
			if (url.pathname === '/big-chunked') {
				res.writeHead(200);
				for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1000));
				return res.end();
			}
			if (url.pathname === '/flaky') return res.writeHead(503).end();
			res.writeHead(404).end();
		});
		// As the app builds it: the file host is a configured base URL's origin (as the fakes are).
		policy = fileHostPolicy({ baseUrls: [`${files.origin}/v1`] });
	});
	afterAll(async () => {
		await Promise.all([files, internal].map(({ server }) => new Promise((resolve) => server.close(resolve))));
	});

	it('downloads from an allowed host, and follows a redirect within allowed hosts', async () => {
		expect(Buffer.from(await download(`${files.origin}/out.png`))).toEqual(PNG);
		expect(Buffer.from(await download(`${files.origin}/redirect?to=/out.png`))).toEqual(PNG);
		expect(Buffer.from(await download(`${files.origin}/redirect?to=${encodeURIComponent(`${files.origin}/out.png`)}`))).toEqual(PNG);
	});

	it('decodes data URIs without any request', async () => {
		expect(Buffer.from(await download(`data:image/png;base64,${PNG.toString('base64')}`))).toEqual(PNG);
	});

	it.each([
		['the internal server by address', (p: number) => `http://127.0.0.1:${p}/`],
		['the internal server in hex', (p: number) => `http://0x7f.1:${p}/`],
		['the internal server as one number', (p: number) => `http://2130706433:${p}/`],
		['the internal server IPv4-mapped', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
		['the internal server by name', (p: number) => `http://localhost:${p}/`],
		['the metadata service', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
		['a host not on the list', () => 'https://example.com/out.png'],
		['a file: URL', () => 'file:///etc/passwd'],
		['garbage', () => 'not a url']
	])('refuses %s before connecting, with the generic message', async (_what, url) => {
		const { error, logged } = await refusal(url(internal.port));
		expect(error.kind).toBe('invalid_output');
		expect(error.retryable).toBe(false);
		expect(logged).toMatch(/^\[platforms\] Test model: output file not downloaded from /);
		expect(internal.hits).toEqual([]);
	});

	it('refuses a redirect from an allowed host to the internal server, or to a host not on the list', async () => {
		for (const to of [`http://127.0.0.1:${internal.port}/`, `http://localhost:${internal.port}/`, 'https://example.com/', 'file:///etc/passwd']) {
			const { logged } = await refusal(`${files.origin}/redirect?to=${encodeURIComponent(to)}`);
			expect(logged).toMatch(/not a provider file host|scheme/);
		}
		expect(internal.hits).toEqual([]);
	});

	it('follows at most three redirects', async () => {
		const before = files.hits.length;
		const { logged } = await refusal(`${files.origin}/loop`);
		expect(logged).toMatch(/more than 3 redirects/);
		expect(files.hits.length - before).toBe(4);
	});

	it('on a provider host (public addresses only), a name that resolves to this machine is refused at connect time', async () => {
		// The same check the providers' hosts get, applied to every host: localhost resolves to loopback.
		const publicOnly: FileHostPolicy = { verdict: () => 'public' };
		const { logged } = await refusal(`http://localhost:${internal.port}/`, { policy: publicOnly });
		expect(logged).toMatch(/resolves to (127\.0\.0\.1|::1), not a public address/);
		await refusal(`http://127.0.0.1:${internal.port}/`, { policy: publicOnly });
		expect(internal.hits).toEqual([]);
	});

	it('caps the size, declared or streamed', async () => {
		expect((await refusal(`${files.origin}/big`, { maxBytes: 4000 })).logged).toMatch(/larger than 4000 bytes/);
		expect((await refusal(`${files.origin}/big-chunked`, { maxBytes: 4000 })).logged).toMatch(/larger than 4000 bytes/);
		expect(await download(`${files.origin}/big`, { maxBytes: 5000 })).toHaveLength(5000);
	});

	it('keeps the difference between "try again" and "give up" in the kind, not the message', async () => {
		expect((await refusal(`${files.origin}/flaky`)).error.kind).toBe('unavailable');
		expect((await refusal(`${files.origin}/missing`)).error.kind).toBe('invalid_output');
		const closed = fileHostPolicy({ extraHosts: ['http://127.0.0.1:1'] });
		expect((await refusal('http://127.0.0.1:1/x', { policy: closed })).error.kind).toBe('unavailable');
	});

	it('gives up with the run: an abort rejects with its reason', async () => {
		const controller = new AbortController();
		const reason = new Error('run stopped');
		controller.abort(reason);
		await expect(download(`${files.origin}/out.png`, { signal: controller.signal })).rejects.toBe(reason);
	});
});
