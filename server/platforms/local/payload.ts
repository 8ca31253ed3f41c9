import type { Payload } from '../../shared/platforms/types';

/** The error a model rejects with when its caller aborted it. */
export function abortError(modelId: string): Error {
	const error = new Error(`${modelId} was aborted`);
	error.name = 'AbortError';
	return error;
}

/** Models check this first, so an already-aborted call never does any work. */
export function throwIfAborted(signal: AbortSignal | undefined, modelId: string): void {
	if (signal?.aborted) throw abortError(modelId);
}

export function expectText(input: Payload, modelId: string): string {
	if (input.kind !== 'text') throw new Error(`${modelId} expects text, got ${input.kind}`);
	return input.text;
}

export function expectImage(input: Payload, modelId: string): Uint8Array {
	if (input.kind !== 'image') throw new Error(`${modelId} expects a PNG image, got ${input.kind}`);
	if (input.mime !== 'image/png') throw new Error(`${modelId} reads PNG images only, got ${input.mime}; ask the model before it for PNG output`);
	return input.bytes;
}

export function expectAudio(input: Payload, modelId: string): Uint8Array {
	if (input.kind !== 'audio') throw new Error(`${modelId} expects WAV audio, got ${input.kind}`);
	if (input.mime !== 'audio/wav') throw new Error(`${modelId} reads WAV audio only, got ${input.mime}; ask the model before it for WAV output`);
	return input.bytes;
}

export const textPayload = (text: string): Payload => ({ kind: 'text', text });
export const imagePayload = (bytes: Uint8Array): Payload => ({ kind: 'image', bytes, mime: 'image/png' });
export const audioPayload = (bytes: Uint8Array): Payload => ({ kind: 'audio', bytes, mime: 'audio/wav' });
