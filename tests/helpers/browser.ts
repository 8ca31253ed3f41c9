import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type TestServer } from './server';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Debian's Chromium through playwright-core (never a downloaded browser). The flags keep it
 * from reaching for the network, which this machine does not have.
 */
export async function launchBrowser(): Promise<Browser> {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`Browser tests need Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
	}
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage'
		]
	});
}

/**
 * Resolves once the page's scripts have run and it hydrated (the root layout marks <html> on
 * mount). A page loaded by goto or reload is drawn before then: a click on a button does
 * nothing yet, a link or form may be taken by the router half-started, and what is typed can
 * be lost when the component takes the field over. Wait for this before using such a page.
 */
export const hydrated = (page: Page) => page.locator('html[data-hydrated]').waitFor({ state: 'attached' });

/**
 * A browser and a server for one test file, plus the steps every browser test starts with:
 * a signed-up person in their own context (own cookie jar), and JSON calls as that person.
 */
export function browserSession(start: () => Promise<TestServer> = () => startServer()) {
	const session = {
		server: undefined as unknown as TestServer,
		browser: undefined as unknown as Browser,
		async setup() {
			[session.server, session.browser] = await Promise.all([start(), launchBrowser()]);
		},
		async teardown() {
			await session.browser?.close();
			await session.server?.dispose();
		},
		/** Signs up `email` with the display name its local part gives (ada@… → Ada). */
		async person(email: string, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
			const ctx = await session.browser.newContext({ viewport });
			const local = email.split('@')[0];
			const displayName = local[0].toUpperCase() + local.slice(1);
			const res = await ctx.request.post(`${session.server.url}/api/auth/signup`, { data: { email, password: 'feedback loops', displayName } });
			if (res.status() >= 300) throw new Error(`sign-up of ${email} failed: ${res.status()} ${await res.text()}`);
			return ctx;
		},
		async call(ctx: BrowserContext, method: string, path: string, data?: unknown) {
			const res = await ctx.request.fetch(`${session.server.url}${path}`, { method, data });
			if (res.status() >= 300) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
			return res.json();
		}
	};
	return session;
}
