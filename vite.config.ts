import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin, ViteDevServer } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * In dev, WebSocket sync shares Vite's port: upgrades to /sync/* go to the same domain
 * instance the SvelteKit routes use (server/instance.ts keeps it on globalThis), loaded
 * through Vite's SSR module graph. Vite's own HMR socket is left alone.
 */
function panicSync(): Plugin {
	return {
		name: 'panic-sync',
		configureServer(server: ViteDevServer) {
			server.httpServer?.on('upgrade', async (req, socket, head) => {
				if (!req.url?.startsWith('/sync/')) return;
				try {
					const { getPanic } = await server.ssrLoadModule('/server/instance.ts');
					const panic = await getPanic();
					panic.handleUpgrade(req, socket, head);
				} catch (error) {
					console.error('[panic] sync upgrade failed:', error);
					socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n');
				}
			});
		}
	};
}

/**
 * Files with a bound on time (charts drawn within a second, a drag and a restore on the other
 * canvases within a second, steps no sooner than a floor, health under a flood).
 */
const TIMED = [
	'tests/browser/analysis.test.ts',
	'tests/browser/editor.test.ts',
	'tests/browser/history.test.ts',
	'tests/engine/capacity.test.ts',
	'tests/hosted-runs-api.test.ts'
];

export default defineConfig({
	plugins: [sveltekit(), panicSync()],
	test: {
		globalSetup: ['tests/global-setup.ts'],
		testTimeout: 30_000,
		hookTimeout: 120_000,
		// expect.poll gives up after 1 s unless told otherwise, and most polls here wait on a
		// server round trip (a sync update stored, a run's feed, a page reloaded and hydrated):
		// on a busy 2-core CI machine that took longer than a second. Bounds on time are
		// measured and asserted explicitly (see TIMED), never through a poll's timeout.
		expect: { poll: { timeout: 10_000 } },
		// Two files at a time even on two cores: most files wait on servers, sockets and
		// databases rather than computing (the whole suite went from about 15 to 13 minutes).
		maxWorkers: 2,
		projects: [
			{
				extends: true,
				test: {
					name: 'panic',
					include: ['server/**/*.spec.ts', 'tests/**/*.test.ts'],
					exclude: ['tests/security/**', 'tests/cluster/**', ...TIMED],
					// Test servers skip V8's optimising tier for WebAssembly (tests/helpers/server.ts).
					env: { PANIC_TEST_SERVER_LIFTOFF: '1' },
					sequence: { groupOrder: 0 }
				}
			},
			{
				// Attack tests check that /api/health stays fast while a server is under attack, and
				// a few others hold a figure to a bound: they run after everything else, one file at a
				// time, so the figure is the server's and not a neighbour file's.
				extends: true,
				test: {
					name: 'serial',
					// The cluster suite starts several processes, Redis readers and HAProxy per file:
					// beside another file it would measure the neighbour, and time out the 2 cores.
					include: ['tests/security/**/*.test.ts', 'tests/cluster/**/*.test.ts', ...TIMED],
					fileParallelism: false,
					sequence: { groupOrder: 1 }
				}
			}
		]
	}
});
