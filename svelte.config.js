import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// $shared is the browser-safe part of server/ (types and pure functions both sides use):
		// the only server code client files may import (scripts/check-imports.ts enforces it).
		// $server is for server-side files under src/ (*.server.ts, +server.ts, src/lib/server).
		alias: { $server: 'server', $shared: 'server/shared' },
		// Every page's Content-Security-Policy. SvelteKit adds a nonce for its inline bootstrap
		// script (mode auto), so scripts come from this origin only, never inline or eval'd.
		// Svelte and Svelte Flow set style attributes (positions, sizes, colours), hence
		// 'unsafe-inline' for style attributes alone; <style> and stylesheets come from self.
		// Pictures and sounds: stored assets, and data:/blob: for uploads and QR codes.
		// frame-ancestors depends on the route and is added in hooks.server.ts.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self'],
				'style-src-attr': ['unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'media-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				// 'self' covers ws(s):// to this host for sync (CSP 3).
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};
