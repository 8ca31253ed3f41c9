import { toFile } from 'openai';
import type { SpeechCreateParams } from 'openai/resources/audio/speech';
import type { TranscriptionCreateParamsNonStreaming } from 'openai/resources/audio/transcriptions';
import type { InvokeResult } from '../platform';
import { MAX_OUTPUT_BYTES, binaryPayload, fileNameFor } from '../hosted/media';
import { priced } from './cost';
import { invalidOutput } from './errors';
import { expectPayload, type Call } from './inputs';
import { wavSeconds } from '../local/wav';

/**
 * Audio in and out of the Audio API. Transcription uploads the audio as a multipart file
 * named with its real extension (OpenAI picks the decoder by name); speech is asked for
 * WAV, which every PANIC model downstream can read, and is priced by characters or by
 * the length of what came back.
 */

export async function transcribe(call: Call): Promise<InvokeResult> {
	const audio = expectPayload(call.input, 'audio', call.model.name);
	const file = await toFile(audio.bytes, fileNameFor(audio), { type: audio.mime });
	// The response format is the entry's fixed `response_format` (JSON where set; gpt-transcribe's default is JSON).
	const body = { ...call.params, model: call.model.openai.model, file } as TranscriptionCreateParamsNonStreaming<'json'>;
	const { data, request_id } = await call.client.audio.transcriptions.create(body, { signal: call.signal }).withResponse();
	const requestId = request_id ?? undefined;
	const text = typeof data.text === 'string' ? data.text.trim() : '';
	if (!text) throw invalidOutput('heard no words', requestId);
	const usage = data.usage;
	// The billed duration when OpenAI reports one, else what the WAV header says.
	const audioSeconds = usage?.type === 'duration' ? usage.seconds : wavSeconds(audio.bytes);
	const tokens = usage?.type === 'tokens' ? usage : undefined;
	return {
		output: { kind: 'text', text },
		requestId,
		...priced(call.model.openai.pricing, { audioSeconds, inputTokens: tokens?.input_tokens, outputTokens: tokens?.output_tokens })
	};
}

export async function speak(call: Call): Promise<InvokeResult> {
	const { text } = expectPayload(call.input, 'text', call.model.name);
	const body = { ...call.params, model: call.model.openai.model, input: text } as SpeechCreateParams;
	const { data: response, request_id } = await call.client.audio.speech.create(body, { signal: call.signal }).withResponse();
	const requestId = request_id ?? undefined;
	const bytes = new Uint8Array(await response.arrayBuffer());
	if (bytes.byteLength === 0) throw invalidOutput('answered with no audio', requestId);
	if (bytes.byteLength > MAX_OUTPUT_BYTES) throw invalidOutput('answered with more audio than PANIC keeps', requestId);
	const output = binaryPayload('audio', bytes, 'OpenAI');
	return {
		output,
		requestId,
		...priced(call.model.openai.pricing, { characters: text.length, audioSeconds: wavSeconds(bytes) })
	};
}
