/** Lowest and highest fundamentals we look for, a little beyond sing's C2–C7 range. */
const MIN_HZ = 60;
const MAX_HZ = 2200;
/** YIN's dip threshold: below it a lag counts as a period. */
const THRESHOLD = 0.15;
/** Above this even the best dip is noise, not a pitch. */
const UNVOICED = 0.4;

/**
 * Estimates the fundamental frequency (Hz) of a stretch of samples with the YIN
 * method (de Cheveigné & Kawahara, 2002): the cumulative-mean-normalised difference
 * function dips at the period, and picking the first clear dip avoids the octave
 * errors plain autocorrelation makes on tones with strong harmonics.
 * `maxWindow` bounds the samples compared per lag (the cost is window × lags).
 * Returns undefined when nothing periodic is found.
 */
export function estimatePitch(samples: Float32Array, sampleRate: number, maxWindow = 512): number | undefined {
	const minLag = Math.max(2, Math.floor(sampleRate / MAX_HZ));
	const maxLag = Math.min(Math.ceil(sampleRate / MIN_HZ), Math.floor(samples.length / 3));
	if (maxLag <= minLag + 2) return undefined;
	const window = Math.min(maxWindow, samples.length - maxLag);

	const difference = new Float64Array(maxLag + 2);
	for (let lag = 1; lag <= maxLag + 1; lag++) {
		let sum = 0;
		for (let i = 0; i < window; i++) {
			const delta = samples[i] - samples[i + lag];
			sum += delta * delta;
		}
		difference[lag] = sum;
	}
	const normalised = new Float64Array(maxLag + 2).fill(1);
	let running = 0;
	for (let lag = 1; lag <= maxLag + 1; lag++) {
		running += difference[lag];
		normalised[lag] = running > 0 ? (difference[lag] * lag) / running : 1;
	}

	let chosen = -1;
	for (let lag = minLag; lag <= maxLag; lag++) {
		if (normalised[lag] < THRESHOLD) {
			while (lag + 1 <= maxLag && normalised[lag + 1] < normalised[lag]) lag++;
			chosen = lag;
			break;
		}
	}
	if (chosen < 0) {
		for (let lag = minLag; lag <= maxLag; lag++) if (chosen < 0 || normalised[lag] < normalised[chosen]) chosen = lag;
		if (normalised[chosen] > UNVOICED) return undefined;
	}
	// A parabola through the dip and its neighbours places the period between samples.
	const [before, at, after] = [normalised[chosen - 1], normalised[chosen], normalised[chosen + 1]];
	const curvature = before - 2 * at + after;
	const offset = curvature > 0 ? (before - after) / (2 * curvature) : 0;
	return sampleRate / (chosen + Math.max(-0.5, Math.min(0.5, offset)));
}
