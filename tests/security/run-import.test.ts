/**
 * Run import under attack (issue 11, finding 1). POST /api/runs/import used to inflate ZIP
 * entries synchronously on the main thread: an entry declaring 1,000 bytes but holding a
 * 4 GB deflate stream froze the server for 84 s; eight entries of 60 MB of zeros in a 494 KB
 * upload froze it 3 s at ~990 MB. Here the same uploads are refused quickly with a clear
 * 400/413 while /api/health answers within 200 ms (watched from another process), the
 * server's memory stays where it was, and a real export still imports.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { craftZip, deflated, stored, zeroBomb } from '../helpers/crafted-zip';
import { textRunFile } from '../helpers/run-files';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { underAttack } from './health-watch';

const MB = 1024 * 1024;

/** Resident and peak resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
	return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** A valid run.json whose invocations output the given assets (by sha256): PNG pictures, or WAV sounds. */
function runJson(assets: string[], kind: 'image' | 'audio' = 'image'): Uint8Array {
	const file = textRunFile(assets.map(() => `a ${kind}`));
	const asset = kind === 'image' ? { mime: 'image/png', ext: 'png' } : { mime: 'audio/wav', ext: 'wav' };
	file.invocations.forEach((invocation, i) => {
		invocation.output = { kind, asset: { sha256: assets[i], ...asset } };
		invocation.outputHash = null;
	});
	return Buffer.from(JSON.stringify(file));
}

async function signedUp(server: TestServer): Promise<ApiClient> {
	const client = new ApiClient(server.url);
	const res = await client.json('POST', '/api/auth/signup', { email: `bomber-${Date.now()}@example.org`, password: 'long enough password' });
	expect(res.status).toBe(201);
	return client;
}

async function upload(client: ApiClient, bytes: Uint8Array): Promise<{ status: number; error?: string; ms: number }> {
	const started = performance.now();
	const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	const res = await fetch(`${client.base}/api/runs/import`, {
		method: 'POST',
		headers: { 'content-type': 'application/zip', cookie, origin: client.base },
		body: bytes as Uint8Array<ArrayBuffer>
	});
	const body = (await res.json()) as { error?: string };
	return { status: res.status, error: body.error, ms: Math.round(performance.now() - started) };
}

/** An upload that sends its body a byte at a time until `finish()`: it holds an import slot meanwhile. */
function trickle(client: ApiClient): { finish(): Promise<number> } {
	const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	const url = new URL('/api/runs/import', client.base);
	const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/zip', cookie, origin: client.base } });
	const status = new Promise<number>((resolve, reject) => {
		request.on('response', (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		request.on('error', reject);
	});
	request.write('P');
	const timer = setInterval(() => request.write('K'), 100);
	return {
		finish() {
			clearInterval(timer);
			request.end();
			return status;
		}
	};
}

describe('run import ZIP bombs', () => {
	let server: TestServer;
	let attacker: ApiClient;

	beforeAll(async () => {
		server = await startServer();
		attacker = await signedUp(server);
		// The first request to a route loads its code (a stall of its own, once, for any route).
		expect((await upload(attacker, Buffer.from('{}'))).status).toBe(400);
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
	});

	test('4 GB of deflate behind a declared 1,000 bytes, as run.json or as an asset: a 400 at once', async () => {
		const stream = zeroBomb(64); // 64 × 64 MiB = 4 GiB of zeros in about 4.2 MB
		const asRunJson = craftZip([{ name: 'run.json', data: stream, method: 8, size: 1000 }]);
		const sha = 'ab'.repeat(32);
		const asAsset = craftZip([deflated('run.json', runJson([sha])), { name: `assets/${sha}.png`, data: stream, method: 8, size: 1000 }]);
		expect(asRunJson.byteLength).toBeLessThan(4.5 * MB);
		const before = memoryOf(server.process.pid!);
		const { result } = await underAttack(server.url, async () => [await upload(attacker, asRunJson), await upload(attacker, asAsset)], {
			maxMs: 200,
			label: '4 GiB behind 1,000 bytes'
		});
		const after = memoryOf(server.process.pid!);
		console.log(`[security] 4 GiB bomb: answered in ${result.map((r) => `${r.ms} ms`).join(' and ')}; server RSS ${before.rssMb} → ${after.rssMb} MB, peak ${before.peakMb} → ${after.peakMb} MB`);
		for (const r of result) {
			expect(r.status).toBe(400);
			expect(r.error).toMatch(/holds more than the 1000 bytes the ZIP declares for it: this is not a PANIC export/);
			expect(r.ms).toBeLessThan(5_000);
		}
		expect(after.peakMb - before.peakMb).toBeLessThan(100);
	});

	test('eight entries of 60 MB of zeros in under 500 KB: a 413 before anything is inflated', async () => {
		const zeros = deflated('x', Buffer.alloc(60 * MB)).data;
		const names = Array.from({ length: 8 }, (_, i) => createHash('sha256').update(`zeros ${i}`).digest('hex'));
		const bomb = craftZip([deflated('run.json', runJson(names)), ...names.map((sha) => ({ name: `assets/${sha}.png`, data: zeros, method: 8, size: 60 * MB }))]);
		expect(bomb.byteLength).toBeLessThan(500 * 1024);
		const before = memoryOf(server.process.pid!);
		const { result } = await underAttack(server.url, () => upload(attacker, bomb), { maxMs: 200, label: '8 × 60 MB of zeros' });
		const after = memoryOf(server.process.pid!);
		console.log(`[security] 8 × 60 MB bomb (${Math.round(bomb.byteLength / 1024)} KB): ${result.status} in ${result.ms} ms; server RSS ${before.rssMb} → ${after.rssMb} MB, peak ${before.peakMb} → ${after.peakMb} MB`);
		expect(result.status).toBe(413);
		expect(result.error).toMatch(/The ZIP expands \d+ times over \(a run export, at most 600\): it is not a PANIC export/);
		expect(after.peakMb - before.peakMb).toBeLessThan(100);
	});

	test('two imports at a time: a third is told to come back (503) while two slow uploads hold the slots', async () => {
		const slow = [trickle(attacker), trickle(attacker)];
		try {
			await new Promise((resolve) => setTimeout(resolve, 500));
			const { result } = await underAttack(server.url, () => upload(attacker, craftZip([{ name: 'run.json', data: zeroBomb(1), method: 8, size: 1000 }])), {
				maxMs: 200,
				label: 'imports beyond the slots'
			});
			expect(result.status).toBe(503);
			expect(result.error).toMatch(/importing 2 other runs right now; try again in a minute/);
		} finally {
			// Their bodies end as no ZIP and no JSON: a 400 each, and the slots are free again.
			expect(await Promise.all(slow.map((s) => s.finish()))).toEqual([400, 400]);
		}
	});

	test('nothing is left behind, and a real export still imports', async () => {
		expect((await attacker.json('GET', '/api/networks')).body).toEqual([]);
		const picture = Buffer.from('89504e470d0a1a0a', 'hex');
		const sha = createHash('sha256').update(picture).digest('hex');
		const real = craftZip([deflated('run.json', runJson([sha])), stored(`assets/${sha}.png`, picture)]);
		const imported = await upload(attacker, real);
		expect(imported.status, imported.error).toBe(201);
		expect((await attacker.json('GET', '/api/networks')).body).toHaveLength(1);
	});
});

describe('a large honest import (the ratio check turned off to let it in)', () => {
	let server: TestServer;

	beforeAll(async () => {
		server = await startServer({ env: { PANIC_IMPORT_MAX_RATIO: '100000' } });
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
	});

	test('128 MB of assets inflate, hash and store one at a time, off the event loop', async () => {
		const client = await signedUp(server);
		expect((await upload(client, Buffer.from('{}'))).status).toBe(400);
		const assets = Array.from({ length: 8 }, (_, i) => {
			const bytes = Buffer.alloc(16 * MB - i, i);
			return { sha: createHash('sha256').update(bytes).digest('hex'), data: deflated('x', bytes).data, size: bytes.byteLength };
		});
		const zip = craftZip([deflated('run.json', runJson(assets.map((a) => a.sha))), ...assets.map((a) => ({ name: `assets/${a.sha}.png`, data: a.data, method: 8, size: a.size }))]);
		const before = memoryOf(server.process.pid!);
		const { result } = await underAttack(server.url, () => upload(client, zip), { maxMs: 200, label: '128 MB import' });
		const after = memoryOf(server.process.pid!);
		console.log(`[security] 128 MB import from ${Math.round(zip.byteLength / 1024)} KB: ${result.status} in ${result.ms} ms; server RSS ${before.rssMb} → ${after.rssMb} MB, peak ${before.peakMb} → ${after.peakMb} MB`);
		expect(result.status, result.error).toBe(201);
		// One 16 MB asset at a time (and zlib's copy of it), never all 128 MB.
		expect(after.peakMb - before.peakMb).toBeLessThan(100);
	});

	test('exporting a run with 48 MB of sound, three times at once: the ZIP is written a slice at a time, taking turns with everyone else', async () => {
		const client = await signedUp(server);
		// Noise, as a real recording is, not silence.
		const sound = Buffer.alloc(48 * MB);
		for (let i = 0; i < sound.length; i += 4) sound.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
		const sha = createHash('sha256').update(sound).digest('hex');
		const imported = await upload(client, craftZip([deflated('run.json', runJson([sha], 'audio')), stored(`assets/${sha}.wav`, sound)]));
		expect(imported.status, imported.error).toBe(201);
		const [network] = (await client.json('GET', '/api/networks')).body as Array<{ id: string }>;
		const [run] = (await client.json('GET', `/api/networks/${network.id}/runs`)).body as Array<{ id: string }>;
		const download = async () => {
			const res = await client.request('GET', `/api/runs/${run.id}/export.zip`);
			expect(res.status).toBe(200);
			return (await res.arrayBuffer()).byteLength;
		};
		await download(); // the first request to a route loads its code: a stall of its own, once, for any route
		const { result } = await underAttack(server.url, () => Promise.all([download(), download(), download()]), { maxMs: 200, label: '3 exports of 48 MB of sound' });
		for (const bytes of result) expect(bytes).toBeGreaterThan(48 * MB); // the sound, stored whole
	});
});
