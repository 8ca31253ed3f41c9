import { createHash } from 'node:crypto';
import type { LocalModel } from '../local/model';
import { audioPayload, expectAudio, expectImage, expectText, imagePayload, textPayload, throwIfAborted } from '../local/payload';
import { encodePng } from '../local/png';
import { encodeWav } from '../local/wav';
import { dummyInfo } from './info';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

/** An 8×8 PNG filled with a colour taken from the text's SHA-256. */
export const textToImage: LocalModel = {
	info: dummyInfo('text-to-image', 'text', 'image', 'Makes a tiny 8×8 PNG whose colour comes from a hash of the text (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/text-to-image');
		const [r, g, b] = sha256(expectText(input, 'dummy/text-to-image'));
		const rgb = new Uint8Array(8 * 8 * 3);
		for (let i = 0; i < rgb.length; i += 3) rgb.set([r, g, b], i);
		return imagePayload(encodePng({ width: 8, height: 8, rgb }));
	}
};

export const imageToText: LocalModel = {
	info: dummyInfo('image-to-text', 'image', 'text', 'Names an image by the first 8 hex digits of its SHA-256, e.g. "image 1a2b3c4d" (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/image-to-text');
		return textPayload(`image ${sha256(expectImage(input, 'dummy/image-to-text')).toString('hex').slice(0, 8)}`);
	}
};

/** A 0.1 s, 8 kHz tone whose pitch (200–999 Hz) comes from the text's SHA-256. */
export const textToAudio: LocalModel = {
	info: dummyInfo('text-to-audio', 'text', 'audio', 'Makes a 0.1-second WAV tone whose pitch comes from a hash of the text (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/text-to-audio');
		const hz = 200 + (sha256(expectText(input, 'dummy/text-to-audio')).readUInt16BE(0) % 800);
		const sampleRate = 8000;
		const samples = new Float32Array(sampleRate / 10);
		for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate);
		return audioPayload(encodeWav({ sampleRate, samples }));
	}
};

export const audioToText: LocalModel = {
	info: dummyInfo('audio-to-text', 'audio', 'text', 'Names a sound by the first 8 hex digits of its SHA-256, e.g. "audio 1a2b3c4d" (for tests).'),
	async run(input, _params, signal) {
		throwIfAborted(signal, 'dummy/audio-to-text');
		return textPayload(`audio ${sha256(expectAudio(input, 'dummy/audio-to-text')).toString('hex').slice(0, 8)}`);
	}
};
