import { describe, expect, it } from 'vitest';
import { riffChunks, riffForm } from './riff';

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const riff = (form: string, ...chunks: number[][]) => {
	const body = chunks.flat();
	return Uint8Array.from([...ascii('RIFF'), ...u32(4 + body.length), ...ascii(form), ...body]);
};
const chunk = (id: string, body: number[], declared = body.length) => [...ascii(id), ...u32(declared), ...body, ...(body.length % 2 ? [0] : [])];

describe('riffForm', () => {
	it('names the form type of RIFF bytes and nothing else', () => {
		expect(riffForm(riff('WAVE'))).toBe('WAVE');
		expect(riffForm(riff('WEBP'))).toBe('WEBP');
		expect(riffForm(riff('AVI '))).toBe('AVI ');
		expect(riffForm(Uint8Array.from(ascii('RIFF....')))).toBeNull();
		expect(riffForm(Uint8Array.from(ascii('ID3 an mp3 perhaps')))).toBeNull();
	});
});

describe('riffChunks', () => {
	it('walks the chunks in order, skipping the pad byte after an odd-sized body', () => {
		const bytes = riff('WAVE', chunk('odd ', [1, 2, 3]), chunk('next', [4, 5]));
		expect([...riffChunks(bytes)].map((c) => ({ id: c.id, size: c.size, body: [...c.body] }))).toEqual([
			{ id: 'odd ', size: 3, body: [1, 2, 3] },
			{ id: 'next', size: 2, body: [4, 5] }
		]);
	});

	it('gives a truncated last chunk the bytes it has, and reads a subarray at its own offset', () => {
		const bytes = riff('WAVE', chunk('data', [7, 8], 0xffffffff));
		const inside = new Uint8Array(bytes.length + 5);
		inside.set(bytes, 5);
		const [data] = [...riffChunks(inside.subarray(5))];
		expect({ id: data.id, size: data.size, body: [...data.body] }).toEqual({ id: 'data', size: 0xffffffff, body: [7, 8] });
	});
});
