// A second client for attack tests: polls GET /api/health on a fresh connection every
// `intervalMs` and, when told to stop, reports every latency. It runs in its own process so
// that the attacking test process's event loop cannot delay (or excuse) the measurement.
import http from 'node:http';

const [base, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg || 50);
const timeoutMs = 5_000;
const samples = [];
const failures = [];
let stopping = false;

function probe() {
	return new Promise((resolve) => {
		const started = performance.now();
		const req = http.get(`${base}/api/health`, { agent: false, timeout: timeoutMs }, (res) => {
			res.resume();
			res.on('end', () => {
				const ms = performance.now() - started;
				if (res.statusCode === 200) samples.push(ms);
				else failures.push(`status ${res.statusCode} after ${Math.round(ms)} ms`);
				resolve();
			});
		});
		req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.on('error', (error) => {
			failures.push(error.message);
			resolve();
		});
	});
}

process.on('message', (message) => {
	if (message === 'stop') stopping = true;
});

process.send?.('ready');
while (!stopping) {
	const started = performance.now();
	await probe();
	const wait = intervalMs - (performance.now() - started);
	if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
process.send?.({ samples, failures }, () => process.exit(0));
