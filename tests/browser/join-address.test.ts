import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Issue 14, "A join link phones can reach": the test server is on 127.0.0.1, as a facilitator's
 * laptop is on localhost; the machine's network interfaces are stood in for by
 * PANIC_NETWORK_ADDRESSES (a link-local address, which phones cannot use, then two LAN ones), so
 * what the page offers does not depend on the machine running the test.
 */
const session = browserSession(() => startServer({ env: { PANIC_NETWORK_ADDRESSES: 'fe80::1,192.0.2.10,198.51.100.20' } }));
let server: TestServer;
let ada: BrowserContext;
let networkId: string;
let port: string;

beforeAll(async () => {
	await session.setup();
	({ server } = session);
	port = new URL(server.url).port;
	ada = await session.person('ada@example.org');
	({ id: networkId } = await session.call(ada, 'POST', '/api/networks', { name: 'Harbour loop' }));
});
afterAll(() => session.teardown());

/** The box of `testid`, which must lie wholly inside the viewport. */
async function onScreen(page: Page, testid: string) {
	const box = await page.getByTestId(testid).evaluate((el) => {
		const r = el.getBoundingClientRect();
		return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: innerWidth, height: innerHeight };
	});
	expect(box.left, testid).toBeGreaterThanOrEqual(0);
	expect(box.top, testid).toBeGreaterThanOrEqual(0);
	expect(box.right, testid).toBeLessThanOrEqual(box.width);
	expect(box.bottom, testid).toBeLessThanOrEqual(box.height);
	return box;
}

const fontPx = (page: Page, testid: string) => page.getByTestId(testid).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));

test('the present page on a loopback address warns, and its QR code and typed address use a network address of the machine', async () => {
	for (const viewport of [
		{ width: 1920, height: 1080 },
		{ width: 1280, height: 720 }
	]) {
		const page = await ada.newPage();
		await page.setViewportSize(viewport);
		await page.goto(`${server.url}/networks/${networkId}/present`);
		await page.getByTestId('join-qr').locator('svg').waitFor();
		const code = (await page.getByTestId('join-code').getAttribute('data-code'))!;

		const warning = page.getByTestId('join-warning');
		expect(await warning.getAttribute('data-kind')).toBe('loopback');
		expect(await warning.textContent()).toMatch(/open on localhost, which phones cannot reach/);
		expect(await warning.isVisible()).toBe(true);
		// The first LAN address, not the link-local one and never 127.0.0.1.
		expect(await page.getByTestId('join-qr').getAttribute('data-url')).toBe(`http://192.0.2.10:${port}/j/${code}`);
		expect(await page.getByTestId('join-address').textContent()).toBe(`192.0.2.10:${port}/j`);
		expect(await page.getByTestId('join-choice').allTextContents()).toEqual([`use 198.51.100.20:${port}`]);

		// Address and code together, large enough to type from the back of the room, on screen.
		await onScreen(page, 'join-address');
		await onScreen(page, 'join-code');
		await onScreen(page, 'join-warning');
		expect(await fontPx(page, 'join-address')).toBeGreaterThanOrEqual(viewport.width >= 1920 ? 40 : 26);
		expect(await fontPx(page, 'join-code')).toBeGreaterThanOrEqual(viewport.width >= 1920 ? 54 : 36);
		await page.close();
	}
});

test('the facilitator picks another of the machine’s addresses; an address from elsewhere is ignored', async () => {
	const page = await ada.newPage();
	await page.setViewportSize({ width: 1920, height: 1080 });
	await page.goto(`${server.url}/networks/${networkId}/present`);
	// A link clicked while the page hydrates can lose its navigation.
	await hydrated(page);
	await Promise.all([page.waitForURL(/\?join=/), page.getByTestId('join-choice').click()]);
	await page.getByTestId('join-qr').locator('svg').waitFor();
	const code = (await page.getByTestId('join-code').getAttribute('data-code'))!;
	expect(await page.getByTestId('join-qr').getAttribute('data-url')).toBe(`http://198.51.100.20:${port}/j/${code}`);
	expect(await page.getByTestId('join-address').textContent()).toBe(`198.51.100.20:${port}/j`);
	// Still said (quietly), with the way back.
	expect(await page.getByTestId('join-warning').textContent()).toMatch(/open on localhost; phones use 198\.51\.100\.20/);
	expect(await page.getByTestId('join-choice').allTextContents()).toEqual([`use 192.0.2.10:${port}`]);

	// Keeping the address the page picked quiets the note too.
	await page.goto(`${server.url}/networks/${networkId}/present`);
	await hydrated(page);
	await Promise.all([page.waitForURL(/\?join=/), page.getByTestId('join-keep').click()]);
	expect(await page.getByTestId('join-address').textContent()).toBe(`192.0.2.10:${port}/j`);
	expect(await page.getByTestId('join-warning').textContent()).toMatch(/open on localhost; phones use 192\.0\.2\.10/);
	expect(await page.getByTestId('join-keep').count()).toBe(0);

	// A link someone else made, naming their own host (or this machine's address on another port), changes nothing.
	for (const host of ['http://evil.example', `http://evil.example:${port}`, `http://198.51.100.20:1`, 'http://127.0.0.1']) {
		await page.goto(`${server.url}/networks/${networkId}/present?join=${encodeURIComponent(host)}`);
		expect(await page.getByTestId('join-qr').getAttribute('data-url')).toMatch(new RegExp(`^http://192\\.0\\.2\\.10:${port}/j/`));
	}
	await page.close();
});

test('the console says so too, and opens the present page on each network address', async () => {
	const page = await ada.newPage();
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto(`${server.url}/networks/${networkId}/console`);
	const card = page.getByTestId('console-join');
	expect(await card.getAttribute('data-kind')).toBe('loopback');
	expect(await card.textContent()).toMatch(/Open on localhost.*phones cannot reach/);
	const links = page.getByTestId('console-join-choice');
	expect(await links.allTextContents()).toEqual([`192.0.2.10:${port} ↗`, `198.51.100.20:${port} ↗`]);
	expect(await links.nth(1).getAttribute('href')).toBe(`/networks/${networkId}/present?join=${encodeURIComponent(`http://198.51.100.20:${port}`)}`);
	await onScreen(page, 'console-join');
	await page.close();
});
