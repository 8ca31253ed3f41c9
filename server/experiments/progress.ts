import cliProgress from 'cli-progress';
import type { RunnerEvents } from './runner';
import type { RunResult } from './summary';

export interface Progress extends RunnerEvents {
	stop(): void;
}

/** One line about a finished run, for logs (and for terminals, under the bar). */
export function describeRun(result: RunResult, done: number, total: number): string {
	const fixed = result.fixedPoint
		? `${result.fixedPoint.kind === 'cycle' ? `${result.fixedPoint.period}-cycle` : 'fixed point'} at step ${result.fixedPoint.step}`
		: 'no fixed point';
	const drift = result.finalDrift ? `, final drift ${result.finalDrift.drift.toFixed(3)}` : '';
	const why = result.stopCause ?? result.status;
	const trouble = result.error ? ` — ${result.error}` : result.analysisError ? ` — analysis failed: ${result.analysisError}` : '';
	return `[${done}/${total}] ${result.network.name} · ${JSON.stringify(short(result.prompt))} #${result.run}: ${result.steps} steps (${why}), ${fixed}${drift} → /runs/${result.runId}${trouble}`;
}

const short = (s: string, max = 40) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Progress on stderr: a bar over the runs, with the steps done so far, on a terminal; one
 * line per finished run otherwise (CI logs, pipes), where a redrawn bar would be noise.
 */
export function createProgress(totalRuns: number, stepsPerRun: number, stream: NodeJS.WriteStream = process.stderr): Progress {
	let done = 0;
	let steps = 0;
	if (!stream.isTTY) {
		return {
			runFinished(result) {
				done++;
				stream.write(describeRun(result, done, totalRuns) + '\n');
			},
			stop() {}
		};
	}
	const bar = new cliProgress.SingleBar(
		{
			stream,
			format: 'runs {bar} {value}/{total} | steps {steps}/{totalSteps} | {current} | eta {eta_formatted}',
			hideCursor: true,
			clearOnComplete: false,
			etaBuffer: 5
		},
		cliProgress.Presets.shades_classic
	);
	let budget = totalRuns * stepsPerRun;
	bar.start(totalRuns, 0, { steps, totalSteps: budget, current: 'starting' });
	return {
		runStarted(_cell, runId) {
			bar.update({ current: `run ${runId}` });
		},
		steps(delta) {
			steps += delta;
			bar.update({ steps });
		},
		runFinished(result) {
			done++;
			// A run that dead-ended early gives its unused budget back, so the total stays honest.
			budget -= Math.max(0, stepsPerRun - result.steps);
			bar.increment(1, { steps, totalSteps: budget });
		},
		stop() {
			bar.stop();
		}
	};
}
