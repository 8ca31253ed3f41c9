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

export default defineConfig({
	plugins: [sveltekit(), panicSync()],
	test: {
		globalSetup: ['tests/global-setup.ts'],
		testTimeout: 30_000,
		hookTimeout: 120_000,
		projects: [
			{
				extends: true,
				test: {
					name: 'panic',
					include: ['server/**/*.spec.ts', 'tests/**/*.test.ts'],
					exclude: ['tests/security/**'],
					sequence: { groupOrder: 0 }
				}
			},
			{
				// Attack tests check that /api/health stays fast while a server is under attack:
				// they run after everything else, one file at a time, so the figure is the server's.
				extends: true,
				test: {
					name: 'security',
					include: ['tests/security/**/*.test.ts'],
					fileParallelism: false,
					sequence: { groupOrder: 1 }
				}
			}
		]
	}
});
