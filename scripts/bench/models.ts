// bench:models — how long each built-in (local) model takes on a typical input of its
// modality: median and p90 of BENCH_RUNS calls (default 25) after one warm-up. The built-in
// models stand in for hosted ones in workshops and tests, so a loop of them should step in
// tens of milliseconds; this prints the figures rather than holding a timed test to them.
import { LOCAL_MODELS } from '../../server/platforms/local/index';
import { paint } from '../../server/platforms/local/paint';
import { sing } from '../../server/platforms/local/sing';
import type { Modality, Payload } from '../../server/shared/platforms/types';

const RUNS = Number(process.env.BENCH_RUNS || 25);
const text = (value: string): Payload => ({ kind: 'text', text: value });

const prompt = 'a large red circle, a blue triangle and a small yellow stripe on a white background';
const inputs: Record<Modality, Payload> = {
	text: text(prompt),
	image: await paint.run(text(prompt), {}),
	audio: await sing.run(text('C4 short E4 G4 long rest A4 G4 F4 E4 D4 C4 long'), {})
};

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`bench:models — ${RUNS} calls per model after a warm-up, typical input of its modality`);
console.log('model'.padEnd(18) + 'median ms'.padStart(11) + 'p90 ms'.padStart(9) + 'max ms'.padStart(9));
for (const model of LOCAL_MODELS) {
	const input = inputs[model.info.input];
	await model.run(input, model.info.defaults);
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const start = performance.now();
		await model.run(input, model.info.defaults);
		times.push(performance.now() - start);
	}
	times.sort((a, b) => a - b);
	const fmt = (ms: number) => ms.toFixed(1);
	console.log(model.info.id.padEnd(18) + fmt(quantile(times, 0.5)).padStart(11) + fmt(quantile(times, 0.9)).padStart(9) + fmt(times[times.length - 1]).padStart(9));
}
