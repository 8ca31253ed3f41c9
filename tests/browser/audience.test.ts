import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { browserSession, hydrated } from '../helpers/browser';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Issue 6, "Audience and facilitator": the phone page behind the QR code, the projector, the
 * facilitator console and the display screens, driven as people use them. Networks are built
 * through the JSON API with the built-in local models, so runs take milliseconds.
 */
const session = browserSession(() => startServer({ env: { PANIC_DUMMY_MODELS: '1' } }));
const { person, call } = session;
let server: TestServer;
let browser: Browser;
let ada: BrowserContext;

const PHONE = { width: 360, height: 740 };

beforeAll(async () => {
	await session.setup();
	({ server, browser } = session);
	ada = await person('ada@example.org');
});
afterAll(() => session.teardown());

/** A paint ⇄ caption loop with quick pacing and no lockout, so prompts start at once. */
async function loopNetwork(name: string, settings: Record<string, unknown> = {}): Promise<string> {
	const { id } = await call(ada, 'POST', '/api/networks', { name });
	await call(ada, 'PATCH', `/api/networks/${id}`, { settings: { pacing: { fixedMs: 150 }, lockoutSeconds: 0, maxConcurrent: 1, ...settings } });
	await call(ada, 'PUT', `/api/networks/${id}/graph`, {
		nodes: [
			{ id: 'paint', modelId: 'local/paint', x: 0, y: 0 },
			{ id: 'caption', modelId: 'local/caption', x: 420, y: 0 }
		],
		edges: [
			{ id: 'e1', source: 'paint', target: 'caption' },
			{ id: 'e2', source: 'caption', target: 'paint' }
		],
		startNodeId: 'paint'
	});
	return id;
}

const phoneContext = () => browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });

async function activeRunId(id: string): Promise<string | undefined> {
	const runs = await call(ada, 'GET', `/api/networks/${id}/runs`);
	const list = Array.isArray(runs) ? runs : runs.runs;
	return list.find((r: { status: string }) => r.status === 'running')?.id;
}

test('a phone joins from the QR URL, watches the feed, prompts a run, and sees its cards (auto mode)', async () => {
	const id = await loopNetwork('Sea loop');
	const { url, code } = await call(ada, 'POST', `/api/networks/${id}/join-codes`);
	expect(url).toBe(`${server.url}/j/${code}`);

	const phone = await phoneContext();
	const page = await phone.newPage();
	await page.goto(url);
	await page.locator('[data-testid=phone-page][data-hydrated]').waitFor();
	expect(await page.getByTestId('phone-run-status').getAttribute('data-status')).toBe('idle');
	expect(await page.getByTestId('phone-feed').textContent()).toMatch(/Outputs appear here/);

	// The counter follows the text; the box never takes more than 500 characters.
	await page.getByTestId('prompt-text').fill('a dream of the sea at dawn');
	expect(await page.getByTestId('prompt-count').textContent()).toBe('26 / 500');
	expect(await page.getByTestId('prompt-text').getAttribute('maxlength')).toBe('500');
	await page.getByTestId('prompt-send').click();
	await page.getByTestId('prompt-sent').waitFor();

	// Auto mode: the prompt starts a run; the phone shows it, and the run's cards arrive, newest first.
	await page.locator('[data-testid=phone-run-status][data-status=running]').waitFor({ timeout: 15_000 });
	expect(await page.getByTestId('current-prompt').textContent()).toContain('a dream of the sea at dawn');
	await page.locator('[data-testid=my-prompt][data-status=started]').waitFor({ timeout: 10_000 });
	await expect.poll(() => page.getByTestId('phone-card').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
	const seqs = await page.getByTestId('phone-card').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
	expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
	await expect.poll(() => page.locator('[data-testid=phone-card][data-kind=image] img').first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
	// Fits a 360 px phone with pictures in it.
	expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

	// After the phone sleeps (the connection drops), it reconnects and the snapshot restores the feed.
	// window.stop() drops the stream as a sleeping phone's OS would; waking up (visibilitychange) reopens it.
	const reopened = page.waitForRequest((r) => r.url().includes(`/api/networks/${id}/feed`));
	await page.evaluate(() => {
		window.stop();
		document.dispatchEvent(new Event('visibilitychange'));
	});
	await reopened;
	await page.locator('[data-testid=phone-run-status][data-status=running]').waitFor({ timeout: 10_000 });
	await expect.poll(() => page.getByTestId('phone-card').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

	// Reloading keeps the seat (the cookie), not a second guest.
	const label = (await page.locator('.who').textContent())!;
	await page.reload();
	await page.locator('[data-testid=phone-page][data-hydrated]').waitFor();
	expect(await page.locator('.who').textContent()).toBe(label);
	const { sessions } = await call(ada, 'GET', `/api/networks/${id}/audience`);
	expect(sessions).toHaveLength(1);

	// The facilitator removes this phone: it is told so at once and can no longer prompt.
	await call(ada, 'DELETE', `/api/networks/${id}/audience/${sessions[0].id}`);
	await page.getByTestId('phone-removed').waitFor({ timeout: 10_000 });
	expect(await page.getByTestId('phone-removed').textContent()).toMatch(/You were removed from this event/);
	const refused = await phone.request.post(`${server.url}/api/networks/${id}/prompts`, { data: { text: 'one more' } });
	expect(refused.status()).toBe(403);
	await page.goto(url);
	await page.getByTestId('phone-removed').waitFor();
	expect(await page.getByTestId('prompt-form').count()).toBe(0);

	// The event ends: the code stops working, and a phone without a seat gets the plain page.
	await call(ada, 'POST', `/api/networks/${id}/end-event`);
	const late = await phoneContext();
	const latePage = await late.newPage();
	const res = await latePage.goto(url);
	expect(res!.status()).toBe(410);
	expect(await latePage.getByTestId('join-error').textContent()).toContain('This code has expired — scan the screen again.');
	const unknown = await latePage.goto(`${server.url}/j/ZZZZZZZZZZ`);
	expect(unknown!.status()).toBe(404);
	expect(await latePage.getByTestId('join-error').textContent()).toContain('scan the screen again');

	const runId = await activeRunId(id);
	if (runId) await call(ada, 'POST', `/api/runs/${runId}/stop`);
	await Promise.all([phone.close(), late.close()]);
});

test('the phone page is light: ≤ 60 KB of JS gzipped, no editor code, no horizontal scroll at 360 px', async () => {
	const id = await loopNetwork('Light loop');
	const { url } = await call(ada, 'POST', `/api/networks/${id}/join-codes`);
	const phone = await phoneContext();
	const page = await phone.newPage();
	// A body read fails once the context closes; a script that arrives after the measure (none
	// should) must not turn into an unhandled rejection then, so each failure is kept as a value.
	const scripts: Promise<{ url: string; body: Buffer | null; error?: string }>[] = [];
	page.on('response', (r: Response) => {
		const type = r.request().resourceType();
		if (type === 'script' || /javascript/.test(r.headers()['content-type'] ?? ''))
			scripts.push(r.body().then((body) => ({ url: r.url(), body }), (e: Error) => ({ url: r.url(), body: null, error: e.message })));
	});
	await page.goto(url);
	await page.getByTestId('phone-page').waitFor();
	// Typing updates the counter only once the page is hydrated: every script has loaded by then.
	await page.getByTestId('prompt-text').fill('hello');
	await page.locator('[data-testid=prompt-count]', { hasText: '5 / 500' }).waitFor();
	const read = await Promise.all(scripts.slice());
	expect(read.filter((s) => s.error)).toEqual([]);
	const bodies = read.map((s) => ({ url: s.url, body: s.body! }));
	const gz = bodies.reduce((sum, s) => sum + gzipSync(s.body).length, 0);
	console.log(`[audience] phone page JS: ${bodies.length} scripts, ${(gz / 1024).toFixed(1)} KB gzipped (${(bodies.reduce((s, b) => s + b.body.length, 0) / 1024).toFixed(1)} KB raw)`);
	expect(bodies.length).toBeGreaterThan(0);
	expect(gz).toBeLessThanOrEqual(60 * 1024);
	for (const { body } of bodies) {
		const text = body.toString('utf8');
		expect(text).not.toMatch(/svelte-flow|WebsocketProvider|y-websocket/);
	}
	expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
	await phone.close();
});

test('the present page shows the join QR code (SVG) and the code, and the newest outputs', async () => {
	const id = await loopNetwork('Projector loop');
	const page = await ada.newPage();
	await page.goto(`${server.url}/networks/${id}/present`);
	const qr = page.getByTestId('join-qr');
	await qr.locator('svg').waitFor();
	const code = (await page.getByTestId('join-code').getAttribute('data-code'))!;
	expect(code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
	expect((await page.getByTestId('join-code').textContent())!.replace(/\s/g, '')).toBe(code);
	// The host is the join address (on a loopback test server, one of the machine's network addresses).
	expect(new URL((await qr.getAttribute('data-url'))!).pathname).toBe(`/j/${code}`);
	// The same code is what the API hands out as current, so projector and API agree.
	expect((await call(ada, 'GET', `/api/networks/${id}/join-codes/current`)).code).toBe(code);

	await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a dream of the sea at dawn' });
	await page.getByTestId('present-prompt').waitFor({ timeout: 10_000 });
	await page.getByTestId('present-card').first().waitFor({ timeout: 15_000 });
	const runId = await activeRunId(id);
	if (runId) await call(ada, 'POST', `/api/runs/${runId}/stop`);
	await page.close();
});

test('the console: approve a prompt in moderated mode, pause and resume the run', async () => {
	const id = await loopNetwork('Moderated loop', { pacing: { fixedMs: 300 } });
	await call(ada, 'PATCH', `/api/networks/${id}`, { audience: { queueMode: 'moderated' } });
	const page = await ada.newPage();
	await page.goto(`${server.url}/networks/${id}/console`);
	await page.getByTestId('console-page').waitFor();
	await page.locator('[data-testid=queue-mode][data-mode=moderated]').waitFor();

	// A phone sends a prompt; it waits for the facilitator.
	const { code } = await call(ada, 'POST', `/api/networks/${id}/join-codes`);
	const phone = await phoneContext();
	expect((await phone.request.post(`${server.url}/api/join/${code}`)).status()).toBe(200);
	const sent = await phone.request.post(`${server.url}/api/networks/${id}/prompts`, { data: { text: 'a green circle at noon' } });
	expect(sent.status()).toBe(201);
	const prompt = page.locator('[data-testid=queued-prompt]', { hasText: 'a green circle at noon' });
	await prompt.waitFor({ timeout: 10_000 });
	await page.getByTestId('audience-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
	expect(await page.getByTestId('console-run-status').getAttribute('data-status')).toBe('idle');

	await prompt.getByTestId('approve-prompt').click();
	await page.locator('[data-testid=console-run-status][data-status=running]').waitFor({ timeout: 15_000 });
	expect(await page.getByTestId('console-current-prompt').textContent()).toContain('a green circle at noon');
	await page.locator('[data-testid=queued-prompt]').first().waitFor({ state: 'detached', timeout: 10_000 });

	await page.getByTestId('console-pause').click();
	await page.locator('[data-testid=console-run-status][data-status=paused]').waitFor({ timeout: 10_000 });
	await page.getByTestId('console-resume').click();
	await page.locator('[data-testid=console-run-status][data-status=running]').waitFor({ timeout: 10_000 });

	// Pacing applies to the running loop; the lock shows; stop ends it.
	await page.getByTestId('pacing-fixed').check();
	await page.getByTestId('pacing-seconds').fill('2');
	await page.getByTestId('pacing-apply').click();
	await page.getByTestId('pacing-note').filter({ hasText: 'Applied' }).waitFor();
	expect((await call(ada, 'GET', `/api/networks/${id}`)).settings.pacing).toEqual({ fixedMs: 2000 });
	await page.getByTestId('lock-toggle').click();
	await page.locator('[data-testid=lock-toggle][data-locked=true]').waitFor();
	expect((await call(ada, 'GET', `/api/networks/${id}`)).locked).toBe(true);
	await page.getByTestId('console-stop').click();
	await page.locator('[data-testid=console-run-status][data-status=stopped]').waitFor({ timeout: 10_000 });

	// Removing the phone from the console.
	await page.getByTestId('remove-session').click();
	await page.locator('[data-testid=audience-session][data-revoked=true]').waitFor({ timeout: 10_000 });
	expect((await phone.request.post(`${server.url}/api/networks/${id}/prompts`, { data: { text: 'again' } })).status()).toBe(403);
	await Promise.all([phone.close(), page.close()]);
});

test('the console clears a flood in one action each: remove everyone who just joined, clear the queue', async () => {
	const id = await loopNetwork('Flooded loop');
	await call(ada, 'PATCH', `/api/networks/${id}`, { audience: { queueMode: 'moderated' } });
	const page = await ada.newPage();
	page.on('dialog', (dialog) => void dialog.accept());
	await page.goto(`${server.url}/networks/${id}/console`);
	await page.getByTestId('console-page').waitFor();

	// Three sessions each send two prompts.
	const { code } = await call(ada, 'POST', `/api/networks/${id}/join-codes`);
	const phones = await Promise.all([1, 2, 3].map(() => phoneContext()));
	for (const [i, phone] of phones.entries()) {
		expect((await phone.request.post(`${server.url}/api/join/${code}`)).status()).toBe(200);
		for (const n of [1, 2]) expect((await phone.request.post(`${server.url}/api/networks/${id}/prompts`, { data: { text: `spam ${i}.${n}` } })).status()).toBe(201);
	}
	await page.locator('[data-testid=queued-prompt]').nth(5).waitFor({ timeout: 10_000 });
	await page.locator('[data-testid=select-session]').nth(2).waitFor({ timeout: 10_000 });

	await page.getByTestId('select-recent-1').click();
	await page.getByTestId('remove-selected').filter({ hasText: 'Remove 3 selected' }).click();
	await page.getByTestId('sessions-removed').filter({ hasText: 'Removed 3 people and 6 waiting prompts.' }).waitFor({ timeout: 10_000 });
	await page.locator('[data-testid=queued-prompt]').first().waitFor({ state: 'detached', timeout: 10_000 });
	expect(await page.locator('[data-testid=audience-session][data-revoked=true]').count()).toBe(3);

	// Clearing the queue drops whatever waits, in one click.
	for (const text of ['one', 'two']) await call(ada, 'POST', `/api/networks/${id}/prompts`, { text });
	await page.locator('[data-testid=queued-prompt]').nth(1).waitFor({ timeout: 10_000 });
	await page.getByTestId('clear-queue').click();
	await page.getByTestId('queue-cleared').filter({ hasText: '2 prompts dropped.' }).waitFor({ timeout: 10_000 });
	await page.locator('[data-testid=queued-prompt]').first().waitFor({ state: 'detached', timeout: 10_000 });
	await Promise.all([...phones.map((p) => p.close()), page.close()]);
});

test('a grid display fills its slots in order, and a kiosk URL works without login', async () => {
	// Five invocations, one at a time: seqs 1–4 fill the 2×2 grid, 5 takes slot 0 again.
	const id = await loopNetwork('Wall loop', { pacing: { fixedMs: 50 }, budgets: { maxInvocations: 5 } });

	// The installation is made in the console: one 2×2 grid.
	const page = await ada.newPage();
	await page.goto(`${server.url}/networks/${id}/console`);
	// A click handler: before hydration the click does nothing.
	await hydrated(page);
	await page.getByTestId('installation-new').click();
	await page.getByTestId('installation-name').fill('Hall');
	await page.getByTestId('screen-name').fill('Wall');
	await page.getByTestId('screen-rows').fill('2');
	await page.getByTestId('screen-cols').fill('2');
	await page.getByTestId('installation-save').click();
	const kioskUrl = (await page.getByTestId('kiosk-url').first().inputValue())!;
	expect(kioskUrl).toMatch(new RegExp(`^${server.url}/display/[a-z0-9]+$`));

	// A machine nobody logged in on.
	const kiosk = await browser.newContext({ viewport: { width: 1280, height: 720 } });
	const wall = await kiosk.newPage();
	await wall.goto(kioskUrl);
	await wall.locator('[data-testid=display-screen][data-connected=true]').waitFor({ timeout: 10_000 });
	expect(await wall.getByTestId('grid-slot').count()).toBe(4);
	// The member's display page with the same layout, from the query.
	const member = await ada.newPage();
	await member.goto(`${server.url}/networks/${id}/display?kind=grid&rows=2&cols=2`);
	await member.locator('[data-testid=display-screen][data-connected=true]').waitFor({ timeout: 10_000 });
	const single = await ada.newPage();
	await single.goto(`${server.url}/networks/${id}/display?kind=single&stride=2&offset=1&showRunning=1`);
	await single.locator('[data-testid=display-screen][data-connected=true]').waitFor({ timeout: 10_000 });

	await call(ada, 'POST', `/api/networks/${id}/runs`, { input: 'a dream of the sea at dawn' });
	for (const p of [wall, member]) {
		await p.locator('[data-testid=grid-slot][data-slot="0"][data-seq="5"]').waitFor({ timeout: 15_000 });
		const slots = await p.getByTestId('grid-slot').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
		expect(slots).toEqual([5, 2, 3, 4]);
		expect(await p.locator('[data-testid=grid-slot][data-slot="1"] img').count()).toBe(0); // seq 2 is caption's text
		expect(await p.locator('[data-testid=grid-slot][data-slot="0"] img').count()).toBe(1); // seq 5 is paint's picture
	}
	// stride 2, offset 1: the newest odd step.
	await single.locator('[data-testid=display-single][data-seq="5"]').waitFor({ timeout: 10_000 });

	// A kiosk token is the only credential: without it, or with a made-up one, no feed.
	expect((await kiosk.request.get(`${server.url}/api/networks/${id}/feed`)).status()).toBe(401);
	expect((await kiosk.request.get(`${server.url}/api/networks/${id}/feed?kiosk=nosuchtoken0000000`)).status()).toBe(404);
	expect((await kiosk.request.get(`${server.url}/display/nosuchtoken0000000`)).status()).toBe(404);
	await Promise.all([kiosk.close(), member.close(), single.close(), page.close()]);
});
