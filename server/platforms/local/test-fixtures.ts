// Builders for test inputs, used only by the *.spec.ts files beside this one.
import { PNG } from 'pngjs';
import { crc32, deflateSync } from 'node:zlib';
import type { LocalModel } from './model';
import type { Payload } from '../../shared/platforms/types';

/** Builds an 8-bit palette PNG by hand (pngjs cannot write colour type 3). */
export function palettePng(width: number, height: number, palette: number[][], pixel: (x: number, y: number) => number): Uint8Array {
	const chunk = (type: string, data: Buffer) => {
		const head = Buffer.alloc(8);
		head.writeUInt32BE(data.length, 0);
		head.write(type, 4, 'ascii');
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
		return Buffer.concat([head, data, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 3, 0, 0, 0], 8);
	const rows = Buffer.alloc((width + 1) * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = pixel(x, y);
	return new Uint8Array(
		Buffer.concat([
			Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
			chunk('IHDR', ihdr),
			chunk('PLTE', Buffer.from(palette.flat())),
			chunk('IDAT', deflateSync(rows)),
			chunk('IEND', Buffer.alloc(0))
		])
	);
}
/** A WAV header for any format, so tests can build 8-bit, stereo or unsupported files. */
export function wavBytes(opts: { code?: number; channels: number; rate: number; bits: number }, data: Uint8Array): Uint8Array {
	const bytes = new Uint8Array(44 + data.length);
	const view = new DataView(bytes.buffer);
	bytes.set(new TextEncoder().encode('RIFF'), 0);
	view.setUint32(4, 36 + data.length, true);
	bytes.set(new TextEncoder().encode('WAVEfmt '), 8);
	view.setUint32(16, 16, true);
	view.setUint16(20, opts.code ?? 1, true);
	view.setUint16(22, opts.channels, true);
	view.setUint32(24, opts.rate, true);
	view.setUint32(28, (opts.rate * opts.channels * opts.bits) / 8, true);
	view.setUint16(32, (opts.channels * opts.bits) / 8, true);
	view.setUint16(34, opts.bits, true);
	bytes.set(new TextEncoder().encode('data'), 36);
	view.setUint32(40, data.length, true);
	bytes.set(data, 44);
	return bytes;
}


/** A PNG drawn pixel by pixel through pngjs (RGBA in, colour type chosen by the caller). */
export function drawnPng(width: number, height: number, pixel: (x: number, y: number) => number[], colorType: 0 | 2 | 6 = 2): Uint8Array {
	const png = new PNG({ width, height });
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
	return new Uint8Array(PNG.sync.write(png, { colorType }));
}

/** 16-bit PCM samples for a pure tone, as a WAV file. */
export function toneWav(hz: number, seconds: number, rate: number, amplitude = 0.5): Uint8Array {
	const data = new Uint8Array(Math.round(seconds * rate) * 2);
	const view = new DataView(data.buffer);
	for (let i = 0; i < data.length / 2; i++) view.setInt16(i * 2, Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
	return wavBytes({ channels: 1, rate, bits: 16 }, data);
}

export const text = (value: string): Payload => ({ kind: 'text', text: value });

export function textOf(payload: Payload): string {
	if (payload.kind !== 'text') throw new Error(`expected text, got ${payload.kind}`);
	return payload.text;
}

/**
 * Iterates text → there → back → text until a text repeats. Returns every text seen
 * and, once settled, how many steps it took and the cycle length (1 = fixed point).
 */
export async function iterateLoop(there: LocalModel, back: LocalModel, start: string, maxSteps = 30) {
	const texts = [start];
	const firstSeen = new Map([[start, 0]]);
	for (let step = 1; step <= maxSteps; step++) {
		const next = textOf(await back.run(await there.run(text(texts.at(-1)!), {}), {}));
		const previous = firstSeen.get(next);
		texts.push(next);
		if (previous !== undefined) return { texts, settledAt: previous, cycleLength: step - previous };
		firstSeen.set(next, step);
	}
	return { texts, settledAt: undefined, cycleLength: undefined };
}
