import { describe, expect, test } from 'vitest';
import { AppError } from '../../server/errors';
import { backends } from '../helpers/databases';
import { audienceSuite } from './setup';

/**
 * Two Audience instances over one database stand in for two processes behind one venue
 * address: each has its own in-process turns, so only the network's row lock keeps their
 * check-then-write steps (numbering joins, the fair share of the queue) from interleaving.
 */
describe.each(backends())('two processes admitting one audience, on $name', ({ open }) => {
	const suite = audienceSuite(open);
	const refused = (promise: Promise<unknown>) =>
		promise.then(
			() => null,
			(e) => (e instanceof AppError ? e.status : Promise.reject(e))
		);

	async function twoProcesses(settings = {}) {
		const [a, b] = [suite.boot(), suite.boot()];
		const id = await a.network(suite.owner, { queueMode: 'moderated', ...settings });
		const { code } = await a.audience.mintCode(id, suite.owner);
		return { processes: [a.audience, b.audience], id, code };
	}

	test('thirty people scanning at once, through both, get thirty different numbers, listed newest first', async () => {
		const { processes, id, code } = await twoProcesses();
		const joins = await Promise.all(Array.from({ length: 30 }, (_, i) => processes[i % 2].join(code, undefined, `198.51.100.${i}`)));
		const labels = joins.map((j) => j.session.label);
		expect(new Set(labels).size).toBe(30);
		expect([...labels].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `guest ${i + 1}`).sort());

		const listed = await processes[1].presence(id, suite.owner);
		expect(listed.sessions.map((s) => s.label)).toEqual(Array.from({ length: 30 }, (_, i) => `guest ${30 - i}`));
	});

	test('one person sending ten prompts at once through both keeps only their share', async () => {
		const { processes, id, code } = await twoProcesses({ promptBurst: 20, maxWaitingPerPerson: 1 });
		const { session } = await processes[0].join(code);
		const guest = { user: null, audience: session };
		const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => refused(processes[i % 2].submitPrompt(id, guest, `prompt ${i}`))));
		expect(sent.filter((s) => s === null)).toHaveLength(1);
		expect(sent.filter((s) => s === 429)).toHaveLength(9);
		const waiting = await suite.db.selectFrom('prompts').select('id').where('network_id', '=', id).where('status', '=', 'queued').execute();
		expect(waiting).toHaveLength(1);
	});

	test('ten prompts at once through both: each is told a different place, and the queue keeps that order', async () => {
		const { processes, id, code } = await twoProcesses();
		const guests = [];
		for (let i = 0; i < 10; i++) guests.push({ user: null, audience: (await processes[i % 2].join(code)).session });
		const sent = await Promise.all(guests.map((guest, i) => processes[i % 2].submitPrompt(id, guest, `prompt ${i}`)));
		expect(sent.map((s) => s.position).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

		const queue = (await processes[0].listPrompts(id, { user: suite.owner, audience: null })) as { waiting: Array<{ id: string; position: number }> };
		const byPlace = [...sent].sort((x, y) => x.position - y.position).map((s) => s.id);
		expect(queue.waiting.map((p) => p.id)).toEqual(byPlace);
		expect(queue.waiting.map((p) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
	});
});
