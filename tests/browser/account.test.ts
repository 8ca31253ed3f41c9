import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { hydrated, launchBrowser } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
	[server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
	await browser?.close();
	await server?.dispose();
});

test('a newcomer signs up, saves a key and browses the models', async () => {
	const page = await browser.newPage();
	await page.goto(`${server.url}/`);
	// A link clicked while the page hydrates can lose its navigation; every later page comes client-side.
	await hydrated(page);
	await page.getByRole('link', { name: 'Create an account' }).click();

	// A too-short password is refused with a clear message and the email kept.
	await page.getByLabel('Email').fill('grace@example.org');
	await page.getByLabel('Password').fill('short');
	await page.getByLabel('Password').evaluate((el: HTMLInputElement) => el.removeAttribute('minlength'));
	await page.getByRole('button', { name: 'Sign up' }).click();
	await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/at least 8 characters/);
	expect(await page.getByLabel('Email').inputValue()).toBe('grace@example.org');

	await page.getByLabel('Password').fill('compiler pioneer');
	await page.getByLabel('Name others see').fill('Grace');
	await page.getByRole('button', { name: 'Sign up' }).click();
	await page.waitForURL('**/networks');
	// The header shows the name others see; the email only on the account page.
	expect(await page.locator('header').textContent()).not.toContain('grace@example.org');
	await page.getByRole('link', { name: 'Grace' }).click();
	await page.waitForURL('**/account');
	expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
	expect(await page.textContent('body')).toContain('grace@example.org');

	// A new name shows at once; a blank one goes back to the default, which says nothing of the email.
	await page.getByLabel('Name', { exact: true }).fill('Grace H.');
	await page.getByRole('button', { name: 'Save name' }).click();
	await expect.poll(() => page.locator('header .who a').first().textContent()).toBe('Grace H.');
	await page.getByLabel('Name', { exact: true }).fill('');
	await page.getByRole('button', { name: 'Save name' }).click();
	await expect.poll(() => page.locator('header .who a').first().textContent()).toMatch(/^Person [A-Z2-7]{4}$/);
	await page.getByLabel('Name', { exact: true }).fill('Grace');
	await page.getByRole('button', { name: 'Save name' }).click();
	await expect.poll(() => page.locator('header .who a').first().textContent()).toBe('Grace');

	// Save an OpenAI key: only its last four characters come back.
	const openai = page.locator('[data-platform="openai"]');
	await openai.getByLabel('Add key').fill('sk-test-1234567890abcdef');
	await openai.getByRole('button', { name: 'Save key' }).click();
	await expect.poll(() => openai.locator('.last4').textContent()).toBe('cdef');
	expect(await page.content()).not.toContain('1234567890abcdef');

	// The session cookie is out of reach of page scripts.
	expect(await page.evaluate(() => document.cookie)).not.toContain('panic_session');

	// Browse the models and filter to image inputs.
	await page.getByRole('link', { name: 'Models' }).click();
	await page.waitForURL('**/models');
	const cards = page.locator('[data-model-id]');
	expect(await cards.count()).toBeGreaterThanOrEqual(5);
	await page.getByLabel('Input').selectOption('image');
	await page.waitForURL(/input=image/);
	await expect.poll(async () => (await cards.allTextContents()).length).toBeGreaterThan(0);
	for (const text of await page.locator('[data-model-id] .io').allTextContents()) expect(text).toMatch(/^image\s*→/);
	expect(await page.locator('[data-model-id="local/caption"]').count()).toBe(1);

	// Log out from the header; the account page then asks to log in.
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.goto(`${server.url}/account`);
	await page.waitForURL('**/login');
});
