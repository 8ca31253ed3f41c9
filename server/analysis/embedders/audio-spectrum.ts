import { decodeWav, type Audio } from '../../platforms/local/wav';
import { l2Normalise } from '../vector';
import { fft } from './fft';

export const AUDIO_SPECTRUM_ID = 'local/audio-spectrum';
const FRAME = 1024;
const BANDS = 32;
const LOWEST_HZ = 60;
const HIGHEST_HZ = 8000;
/** Long recordings are sampled: at most this many frames, evenly spread. */
const MAX_FRAMES = 256;
/** Frames quieter than this (RMS) are silence: gaps say nothing about timbre or pitch. */
const SILENCE_RMS = 1e-3;
/** ... and frames below this share of the loudest frame's RMS. */
const QUIET_SHARE = 0.05;
/** Band levels are read over this many decades (bels) below each frame's loudest band: 40 dB. */
const DYNAMIC_RANGE = 4;
export const AUDIO_SPECTRUM_DIMS = BANDS * 2;

/**
 * A sound's fingerprint from its samples: Hann-windowed 1024-sample frames (half
 * overlapping), FFT power pooled into 32 log-spaced bands from 60 Hz to 8 kHz, each
 * frame's band levels read relative to its loudest band (the spectrum's shape, not its
 * loudness), then the mean and the spread over the audible frames, centred and
 * L2-normalised. WAV only; null
 * for other formats or silence.
 */
export function audioSpectrum(bytes: Uint8Array, mime: string): number[] | null {
	if (mime !== 'audio/wav') return null;
	let audio: Audio;
	try {
		audio = decodeWav(bytes, AUDIO_SPECTRUM_ID);
	} catch {
		return null;
	}
	return spectrumOf(audio);
}

export function spectrumOf({ sampleRate, samples }: Audio): number[] | null {
	const hop = FRAME / 2;
	const total = Math.max(0, Math.floor((samples.length - FRAME) / hop) + 1);
	if (total === 0) return null;
	const step = Math.max(1, total / MAX_FRAMES);
	const starts: number[] = [];
	for (let f = 0; f < total; f += step) starts.push(Math.floor(f) * hop);
	// Quiet frames (rests, a noise floor) are left out relative to the loudest one, so the
	// same tune with a little hiss in its gaps still looks like itself.
	const rms = starts.map((start) => {
		let energy = 0;
		for (let i = 0; i < FRAME; i++) energy += samples[start + i] * samples[start + i];
		return Math.sqrt(energy / FRAME);
	});
	const loud = Math.max(SILENCE_RMS, QUIET_SHARE * Math.max(...rms));
	const edges = bandEdges(sampleRate);
	const window = hann();
	const sum = new Float64Array(BANDS);
	const sumSq = new Float64Array(BANDS);
	const re = new Float64Array(FRAME);
	const im = new Float64Array(FRAME);
	const band = new Float64Array(BANDS);
	let frames = 0;
	starts.forEach((start, n) => {
		if (rms[n] < loud) return;
		for (let i = 0; i < FRAME; i++) {
			re[i] = samples[start + i] * window[i];
			im[i] = 0;
		}
		fft(re, im);
		let peak = -Infinity;
		for (let b = 0; b < BANDS; b++) {
			let power = 0;
			for (let k = edges[b]; k < edges[b + 1]; k++) power += re[k] * re[k] + im[k] * im[k];
			band[b] = Math.log10(1e-12 + power / Math.max(1, edges[b + 1] - edges[b]));
			peak = Math.max(peak, band[b]);
		}
		// Each band's level in [0, 1] over the DYNAMIC_RANGE below the frame's loudest band:
		// the spectrum's shape (which pitches sound), not how loud the frame is.
		for (let b = 0; b < BANDS; b++) {
			const v = Math.max(0, band[b] - peak + DYNAMIC_RANGE) / DYNAMIC_RANGE;
			sum[b] += v;
			sumSq[b] += v * v;
		}
		frames++;
	});
	if (frames === 0) return null;
	const out = new Float64Array(BANDS * 2);
	for (let b = 0; b < BANDS; b++) {
		out[b] = sum[b] / frames;
		out[BANDS + b] = Math.sqrt(Math.max(0, sumSq[b] / frames - out[b] * out[b]));
	}
	// Both halves centred on their own mean: two unrelated sounds are not similar merely
	// because both have energy somewhere.
	for (const [from, to] of [[0, BANDS], [BANDS, 2 * BANDS]]) {
		let centre = 0;
		for (let i = from; i < to; i++) centre += out[i] / BANDS;
		for (let i = from; i < to; i++) out[i] -= centre;
	}
	return l2Normalise(out);
}

/** FFT bin boundaries of the bands, log-spaced, each at least one bin wide. */
function bandEdges(sampleRate: number): number[] {
	const nyquist = sampleRate / 2;
	const high = Math.min(HIGHEST_HZ, nyquist * 0.95);
	const binHz = sampleRate / FRAME;
	const edges: number[] = [];
	for (let b = 0; b <= BANDS; b++) {
		const hz = LOWEST_HZ * Math.pow(high / LOWEST_HZ, b / BANDS);
		const bin = Math.max(1, Math.round(hz / binHz));
		edges.push(Math.max(bin, b ? edges[b - 1] + 1 : bin));
	}
	return edges.map((e) => Math.min(e, FRAME / 2));
}

let cachedWindow: Float64Array | undefined;
function hann(): Float64Array {
	if (cachedWindow) return cachedWindow;
	cachedWindow = new Float64Array(FRAME);
	for (let i = 0; i < FRAME; i++) cachedWindow[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME - 1));
	return cachedWindow;
}
