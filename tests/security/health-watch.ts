import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Watches `/api/health` from a separate process while an attack runs, so a test can show that
 * everyone else is still served. `stop()` returns the figures; `assertHealthy` fails a test
 * whose server answered slower than `maxMs` (or not at all) at any point.
 */
export interface HealthReport {
	count: number;
	maxMs: number;
	p50Ms: number;
	p99Ms: number;
	failures: string[];
}

export interface HealthWatch {
	stop(): Promise<HealthReport>;
}

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'health-watch-child.mjs');

export async function watchHealth(baseUrl: string, { intervalMs = 50 } = {}): Promise<HealthWatch> {
	const proc = fork(child, [baseUrl, String(intervalMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	await new Promise<void>((resolve, reject) => {
		proc.once('message', () => resolve());
		proc.once('error', reject);
		proc.once('exit', (code) => reject(new Error(`health watcher exited early (${code})`)));
	});
	return {
		stop: () =>
			new Promise<HealthReport>((resolve, reject) => {
				proc.once('message', (message) => {
					const { samples, failures } = message as { samples: number[]; failures: string[] };
					const sorted = [...samples].sort((a, b) => a - b);
					const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
					resolve({
						count: samples.length,
						maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
						p50Ms: at(0.5),
						p99Ms: at(0.99),
						failures
					});
				});
				proc.once('error', reject);
				proc.send('stop');
			})
	};
}

/** Runs `attack` while watching health; throws if health was ever slower than `maxMs` or failed. */
export async function underAttack<T>(
	baseUrl: string,
	attack: () => Promise<T>,
	{ maxMs = 200, intervalMs = 50, label = 'attack' } = {}
): Promise<{ result: T; health: HealthReport }> {
	const watch = await watchHealth(baseUrl, { intervalMs });
	let result: T;
	let health: HealthReport;
	try {
		result = await attack();
	} finally {
		health = await watch.stop();
	}
	const summary = `${label}: /api/health ${health.count} probes, p50 ${health.p50Ms.toFixed(1)} ms, p99 ${health.p99Ms.toFixed(1)} ms, max ${health.maxMs.toFixed(1)} ms, ${health.failures.length} failed`;
	console.log(`[security] ${summary}`);
	if (health.failures.length) throw new Error(`${summary}: ${health.failures.slice(0, 3).join('; ')}`);
	if (!health.count) throw new Error(`${summary}: no probe completed`);
	if (health.maxMs > maxMs) throw new Error(`${summary}: slower than ${maxMs} ms`);
	return { result, health };
}
