import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AudienceSettingsInput } from '../../server/audience/settings';
import type { Db } from '../../server/db/connect';
import { AppError } from '../../server/errors';
import { backends, type TestDatabase } from '../helpers/databases';
import { boot, createUser, sleep, until } from './setup';

describe.each(backends())('prompt queue on $name', ({ open }) => {
	let database: TestDatabase;
	let db: Db;
	let owner: Awaited<ReturnType<typeof createUser>>;
	const booted: Array<ReturnType<typeof boot>> = [];
	const refusal = (promise: Promise<unknown>) =>
		promise.then(
			() => null,
			(e) => (e instanceof AppError ? { status: e.status, message: e.message, details: e.details } : Promise.reject(e))
		);

	/** A network with an audience of `people` joined through a code. */
	async function event(people: number, settings: AudienceSettingsInput = {}, lockoutMs = 0) {
		const app = boot(db, { lockoutMs });
		booted.push(app);
		const id = await app.network(owner, settings);
		const codes = await app.audience.mintCode(id, owner);
		const guests = [];
		for (let i = 0; i < people; i++) {
			const { session } = await app.audience.join(codes.code);
			guests.push({ user: null, audience: session });
		}
		return { ...app, id, guests, codes };
	}
	const statuses = async (id: string) =>
		(await db.selectFrom('prompts').select(['text', 'status']).where('network_id', '=', id).orderBy('created_at').execute()).map((r) => [r.text, r.status]);

	beforeAll(async () => {
		database = await open();
		db = database.db;
		owner = await createUser(db);
	});
	afterEach(async () => {
		for (const app of booted.splice(0)) await app.close();
	});
	afterAll(() => database?.close());

	test('auto mode: the oldest prompt starts when the lockout allows, the next only after it', async () => {
		const { audience, engine, id, guests } = await event(3, {}, 400);
		const first = await audience.submitPrompt(id, guests[0], '  a dream of the sea  ');
		expect(first).toMatchObject({ status: 'queued', position: 1 });
		await until('the first run', () => engine.starts.length === 1);
		expect(engine.starts[0]).toMatchObject({ networkId: id, text: 'a dream of the sea', startedBy: null });
		const second = await audience.submitPrompt(id, guests[1], 'second');
		const third = await audience.submitPrompt(id, guests[2], 'third');
		expect([second.position, third.position]).toEqual([1, 2]);
		// Not before the lockout: measured from the first start. (A fixed sleep after the two
		// submits, then "still one start", failed once the submits took most of the 400 ms.)
		await until('the second run', () => engine.starts.length === 2);
		expect(engine.starts[1].at - engine.starts[0].at).toBeGreaterThanOrEqual(390);
		await until('the third run', () => engine.starts.length === 3);
		expect(engine.starts.map((s) => s.text)).toEqual(['a dream of the sea', 'second', 'third']);

		const mine = await audience.listPrompts(id, guests[0]);
		expect(mine).toEqual({ prompts: [expect.objectContaining({ text: 'a dream of the sea', status: 'started', runId: expect.any(String), position: null })] });
		// Members who may start runs prompt as themselves (startedBy is their id).
		await audience.submitPrompt(id, { user: owner, audience: null }, 'from the owner');
		await until('the owner’s run', () => engine.starts.length === 4);
		expect(engine.starts[3]).toMatchObject({ text: 'from the owner', startedBy: owner.id });
	});

	test('a prompt the network cannot start is rejected with the reason; the queue goes on', async () => {
		const { audience, engine, id, guests } = await event(2);
		engine.refuse.add('doomed');
		await audience.submitPrompt(id, guests[0], 'doomed');
		await audience.submitPrompt(id, guests[1], 'fine');
		await until('the good one started', () => engine.starts.length === 1);
		const { prompts } = (await audience.listPrompts(id, guests[0])) as { prompts: Array<{ status: string; reason: string }> };
		expect(prompts[0]).toMatchObject({ status: 'rejected', reason: 'Pick a start node first: the network has none.' });
	});

	test('moderated mode: prompts wait for approval; rejected ones never start', async () => {
		const { audience, engine, id, guests } = await event(3, { queueMode: 'moderated' });
		const a = await audience.submitPrompt(id, guests[0], 'please approve');
		const b = await audience.submitPrompt(id, guests[1], 'please reject');
		const c = await audience.submitPrompt(id, guests[2], 'withdrawn');
		await sleep(100);
		expect(engine.starts).toHaveLength(0);

		const queue = (await audience.listPrompts(id, { user: owner, audience: null })) as { mode: string; waiting: Array<{ id: string; from: string; position: number }> };
		expect(queue.mode).toBe('moderated');
		expect(queue.waiting.map((p) => [p.from, p.position])).toEqual([
			['guest 1', 1],
			['guest 2', 2],
			['guest 3', 3]
		]);
		// Only facilitators decide; only the author withdraws.
		const stranger = await createUser(db);
		expect(await refusal(audience.approve(id, stranger, a.id))).toMatchObject({ status: 404 });
		expect(await refusal(audience.withdraw(id, guests[0], c.id))).toMatchObject({ status: 404 });
		expect(await audience.withdraw(id, guests[2], c.id)).toMatchObject({ status: 'withdrawn' });

		expect(await audience.reject(id, owner, b.id, 'Not tonight.')).toMatchObject({ status: 'rejected', reason: 'Not tonight.' });
		expect(await audience.approve(id, owner, a.id)).toMatchObject({ status: 'approved' });
		await until('the approved prompt started', () => engine.starts.length === 1);
		expect(engine.starts[0].text).toBe('please approve');
		expect(await refusal(audience.approve(id, owner, b.id))).toMatchObject({ status: 400 });
		expect(await statuses(id)).toEqual([
			['please approve', 'started'],
			['please reject', 'rejected'],
			['withdrawn', 'withdrawn']
		]);
	});

	test('text rules: trimmed, control characters stripped, 1–500 characters', async () => {
		const { audience, id, guests, networks } = await event(1, { queueMode: 'moderated' });
		expect(await refusal(audience.submitPrompt(id, guests[0], '   '))).toMatchObject({ status: 400 });
		expect(await refusal(audience.submitPrompt(id, guests[0], 'x'.repeat(501)))).toMatchObject({ status: 400 });
		await audience.submitPrompt(id, guests[0], `line one\nline\u0000 two${' '.repeat(10)}`);
		expect(await statuses(id)).toEqual([['line one line two', 'queued']]);
		await networks.update(id, owner, { audience: { promptBurst: 5 } });
		await audience.submitPrompt(id, guests[0], 'y'.repeat(500));
	});

	test('the blocklist refuses without echoing the list', async () => {
		const { audience, id, guests } = await event(1, { blocklist: ['forbidden word', 'zap'] });
		const refused = await refusal(audience.submitPrompt(id, guests[0], 'A Forbidden  Word here'));
		expect(refused).toMatchObject({ status: 400, message: 'This prompt was not accepted. Try different words.' });
		expect(JSON.stringify(refused)).not.toMatch(/zap|forbidden word/i);
		expect(await refusal(audience.submitPrompt(id, guests[0], 'zapped is fine'))).toBeNull();
	});

	test('each session has its own rate limit; another session is not affected', async () => {
		const { audience, id, guests } = await event(2, { queueMode: 'moderated', promptBurst: 2, promptsPerMinute: 2 });
		await audience.submitPrompt(id, guests[0], 'one');
		await audience.submitPrompt(id, guests[0], 'two');
		const limited = await refusal(audience.submitPrompt(id, guests[0], 'three'));
		expect(limited).toMatchObject({ status: 429, details: { retryAfterSeconds: expect.any(Number) } });
		expect((limited!.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
		expect(await refusal(audience.submitPrompt(id, guests[1], 'mine'))).toBeNull();
		expect(await refusal(audience.submitPrompt(id, guests[1], 'mine too'))).toBeNull();
	});

	test('a full queue refuses with 429', async () => {
		const { audience, id, guests } = await event(3, { queueMode: 'moderated', maxQueue: 2 });
		await audience.submitPrompt(id, guests[0], 'a');
		await audience.submitPrompt(id, guests[1], 'b');
		expect(await refusal(audience.submitPrompt(id, guests[2], 'c'))).toMatchObject({ status: 429 });
	});

	test('each person may keep only their share waiting; hosts may keep more', async () => {
		const { audience, id, guests } = await event(1, { queueMode: 'moderated', promptBurst: 10, maxWaitingPerPerson: 2 });
		await audience.submitPrompt(id, guests[0], 'one');
		await audience.submitPrompt(id, guests[0], 'two');
		const refused = await refusal(audience.submitPrompt(id, guests[0], 'three'));
		expect(refused).toMatchObject({ status: 429, message: 'You have 2 prompts waiting already. Send another once one of them has started, or take one back.' });
		const own = (await audience.listPrompts(id, guests[0])) as { prompts: Array<{ id: string; text: string }> };
		await audience.withdraw(id, guests[0], own.prompts.find((p) => p.text === 'one')!.id);
		expect(await refusal(audience.submitPrompt(id, guests[0], 'three'))).toBeNull();
		const host = { user: owner, audience: null };
		for (const text of ['h1', 'h2', 'h3']) expect(await refusal(audience.submitPrompt(id, host, text))).toBeNull();
	});

	test('the issue’s flood: 80 sessions × 3 prompts fill the queue, a real person still gets in, and one call clears the flood', async () => {
		const { audience, id, codes } = await event(0, { queueMode: 'moderated' });
		const { code } = codes;
		const joins = await Promise.all(Array.from({ length: 80 }, () => audience.join(code, undefined, '203.0.113.9')));
		const flood = joins.map((j) => ({ user: null, audience: j.session }));
		const sent = await Promise.all(flood.flatMap((f, i) => [0, 1, 2].map((n) => refusal(audience.submitPrompt(id, f, `spam ${i}.${n}`)))));
		expect(sent.filter((r) => r === null).length).toBeGreaterThanOrEqual(200);
		expect(await audience.queue.summary(id)).toMatchObject({ length: 200 });

		// A real person, from the same venue address: accepted; a flooder's newest prompt gave way.
		const real = { user: null, audience: (await audience.join(code, undefined, '203.0.113.9')).session };
		const mine = await audience.submitPrompt(id, real, 'a dream of the sea at dawn');
		expect(mine).toMatchObject({ status: 'queued', position: 200 });
		expect(await audience.queue.summary(id)).toMatchObject({ length: 200 });
		const gaveWay = await db.selectFrom('prompts').select(['reason', 'audience_session_id']).where('network_id', '=', id).where('status', '=', 'dropped').execute();
		expect(gaveWay.length).toBeGreaterThanOrEqual(1);
		expect(gaveWay[0].reason).toMatch(/queue was full, so it made room for someone with fewer prompts waiting/);
		expect(flood.map((f) => f.audience.id)).toContain(gaveWay[0].audience_session_id);

		// The facilitator removes the flood's sessions in one call: their prompts go, the real one stays.
		const result = await audience.removeSessions(id, owner, flood.map((f) => f.audience.id));
		expect(result).toEqual({ removed: 80, prompts: 199 });
		const left = (await audience.listPrompts(id, { user: owner, audience: null })) as { waiting: Array<{ text: string; position: number }> };
		expect(left.waiting).toEqual([expect.objectContaining({ text: 'a dream of the sea at dawn', position: 1 })]);
		const removed = (await audience.validate(joins[0].token!))!.session;
		expect(await refusal(audience.submitPrompt(id, { user: null, audience: removed }, 'again'))).toMatchObject({ status: 403 });
	});

	test('removing many sessions at once: only editors; ids of other networks or already removed are skipped', async () => {
		const { audience, id, guests, network } = await event(3, { queueMode: 'moderated' });
		const other = await network(owner);
		const { code } = await audience.mintCode(other, owner);
		const elsewhere = (await audience.join(code)).session;
		await audience.submitPrompt(id, guests[0], 'a');
		await audience.submitPrompt(id, guests[1], 'b');
		const stranger = await createUser(db);
		expect(await refusal(audience.removeSessions(id, stranger, [guests[0].audience.id]))).toMatchObject({ status: 404 });
		expect(await audience.removeSessions(id, owner, [guests[0].audience.id, guests[1].audience.id, elsewhere.id, 'no-such-session'])).toEqual({ removed: 2, prompts: 2 });
		expect(await audience.removeSessions(id, owner, [guests[0].audience.id])).toEqual({ removed: 0, prompts: 0 });
		const untouched = await db.selectFrom('audience_sessions').select('revoked_at').where('id', '=', elsewhere.id).executeTakeFirstOrThrow();
		expect(untouched.revoked_at).toBeNull();
		expect(await refusal(audience.submitPrompt(id, guests[2], 'still here'))).toBeNull();
	});

	test('the facilitator clears the queue in one call; senders may send again', async () => {
		const { audience, id, guests } = await event(2, { queueMode: 'moderated' });
		await audience.submitPrompt(id, guests[0], 'a');
		await audience.submitPrompt(id, guests[1], 'b');
		const stranger = await createUser(db);
		expect(await refusal(audience.clearQueue(id, stranger))).toMatchObject({ status: 404 });
		expect(await audience.clearQueue(id, owner)).toEqual({ dropped: 2 });
		expect(await statuses(id)).toEqual([
			['a', 'dropped'],
			['b', 'dropped']
		]);
		const own = (await audience.listPrompts(id, guests[0])) as { prompts: Array<{ reason: string }> };
		expect(own.prompts[0].reason).toMatch(/cleared the queue/);
		expect(await refusal(audience.submitPrompt(id, guests[0], 'again'))).toBeNull();
	});

	test('who may prompt: audience of this network and owners/editors; not viewers, strangers or the removed', async () => {
		const { audience, id, guests, network } = await event(2, { queueMode: 'moderated' });
		const other = await network(owner);
		expect(await refusal(audience.submitPrompt(other, guests[0], 'wrong network'))).toMatchObject({ status: 401 });
		expect(await refusal(audience.submitPrompt(id, { user: null, audience: null }, 'nobody'))).toMatchObject({ status: 401 });
		const stranger = await createUser(db);
		expect(await refusal(audience.submitPrompt(id, { user: stranger, audience: null }, 'hi'))).toMatchObject({ status: 404 });

		await audience.submitPrompt(id, guests[1], 'before removal');
		await audience.removeSession(id, owner, guests[1].audience.id);
		const removed = { user: null, audience: { ...guests[1].audience, revoked: true } };
		expect(await refusal(audience.submitPrompt(id, removed, 'after'))).toEqual({ status: 403, message: 'You were removed from this event.', details: undefined });
		// Their waiting prompt went with them.
		expect(await statuses(id)).toEqual([['before removal', 'dropped']]);
	});

	test('ending the event drops every waiting prompt', async () => {
		const { audience, engine, id, guests } = await event(2, { queueMode: 'moderated' });
		await audience.submitPrompt(id, guests[0], 'a');
		await audience.submitPrompt(id, guests[1], 'b');
		expect(await audience.endEvent(id, owner)).toMatchObject({ codes: 1, sessions: 2, prompts: 2 });
		expect(await statuses(id)).toEqual([
			['a', 'dropped'],
			['b', 'dropped']
		]);
		expect(await audience.queue.summary(id)).toEqual({ length: 0 });
		await sleep(50);
		expect(engine.starts).toHaveLength(0);
	});

	// Switching moderated → auto with prompts waiting: tests/db/network-events.test.ts, through
	// createPanic's real wiring (the networks domain's event reaching the audience).

	test('prompts waiting at a restart resume', async () => {
		const first = await event(1, { queueMode: 'moderated' });
		await first.audience.submitPrompt(first.id, first.guests[0], 'waited');
		await first.close();
		// Changed while this process was down: stored, heard by nobody.
		await first.networks.update(first.id, owner, { audience: { queueMode: 'auto' } });
		const second = boot(db);
		booted.push(second);
		await second.audience.resume();
		// (Other tests' networks may have left prompts waiting too; they resume as well.)
		await until('the waiting prompt started', () => second.engine.starts.some((s) => s.networkId === first.id));
		expect(second.engine.starts.filter((s) => s.networkId === first.id).map((s) => s.text)).toEqual(['waited']);
	});
});
