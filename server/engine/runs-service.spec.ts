import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { encodePng } from '../platforms/local/png';
import { encodeWav } from '../platforms/local/wav';
import type { Engine } from './engine';
import type { Networks } from '../networks/networks';
import type { InvocationRow, RunReader, RunRow } from './run-reader';
import { inputPayload, RunsService } from './runs-service';

const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const wav = encodeWav({ sampleRate: 8000, samples: new Float32Array(80) });
const png = encodePng({ width: 1, height: 1, rgb: Uint8Array.from([1, 2, 3]) });
/** A RIFF file that is a video, not audio: the header WAV files share, another form type. */
const avi = 'RIFF\x10\x00\x00\x00AVI LIST\x04\x00\x00\x00hdrl';

function refusal(input: Parameters<typeof inputPayload>[0]): AppError {
	try {
		inputPayload(input);
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('the input was accepted');
}

describe('inputPayload', () => {
	it('takes text as it is', () => {
		expect(inputPayload('hi')).toEqual({ kind: 'text', text: 'hi' });
		expect(inputPayload({ kind: 'text', text: 'hi' })).toEqual({ kind: 'text', text: 'hi' });
	});

	it('accepts a real WAV and a real PNG', () => {
		expect(inputPayload({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(wav) })).toEqual({ kind: 'audio', mime: 'audio/wav', bytes: wav });
		expect(inputPayload({ kind: 'image', mime: 'image/png', dataBase64: base64(png) })).toEqual({ kind: 'image', mime: 'image/png', bytes: png });
	});

	it('refuses a RIFF file that is not WAVE, and bytes of another format, with a 400 saying what they are', () => {
		const riff = refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(avi) });
		expect(riff.status).toBe(400);
		expect(riff.message).toBe('The audio is not a valid audio/wav file.');
		expect(refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64('ID3\x04 an mp3 perhaps') }).message).toBe(
			'The audio is not a valid audio/wav file (its bytes are audio/mpeg).'
		);
		expect(refusal({ kind: 'image', mime: 'image/png', dataBase64: base64(wav) }).status).toBe(400);
		expect(refusal({ kind: 'audio', mime: 'audio/wav', dataBase64: base64(png) }).status).toBe(400);
	});
});

describe('RunsService.get', () => {
	const run = { id: 'r1', networkId: 'n1', input: { kind: 'text', text: 'sea' }, status: 'running', nextSeq: 12, graph: {} } as unknown as RunRow;
	const invocation = (seq: number) => ({ id: `i${seq}`, runId: 'r1', seq, input: { kind: 'text', text: 'x' }, output: null }) as unknown as InvocationRow;
	/** The database as it answers while a step starts: the run said 11, and the 12th is there by the list's read. */
	const racing = {
		get: async () => run,
		invocations: async (_runId: string, after = 0, limit = 200) => Array.from({ length: Math.min(limit, 12 - after) }, (_, i) => invocation(after + i + 1)),
		spend: async () => new Map()
	} as unknown as RunReader;
	const networks = { access: async () => ({ network: {}, role: 'owner' }) } as unknown as Networks;
	const service = new RunsService({} as Engine, networks, racing);

	it('never lists a step past the count it gives: one that started meanwhile waits for the next read', async () => {
		const page = await service.get('r1', null, {});
		expect(page.invocationCount).toBe(11);
		expect(page.invocations.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
		expect(page.nextAfter).toBeNull();
	});

	it('a full page still points at the next one', async () => {
		const page = await service.get('r1', null, { after: 0, limit: 5 });
		expect(page.invocations.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5]);
		expect(page.nextAfter).toBe(5);
	});
});
