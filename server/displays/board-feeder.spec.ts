import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeVestaboard, type FakeVestaboard } from '../../tests/fakes/fake-vestaboard';
import { BoardFeeder } from './board-feeder';
import { boardText } from './vestaboard';

describe('BoardFeeder against a fake Vestaboard', () => {
	let fake: FakeVestaboard;
	beforeAll(async () => {
		fake = await startFakeVestaboard(['rw-key-good-0001']);
	});
	afterAll(() => fake.close());

	const until = async (what: () => boolean) => {
		for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
		expect(what()).toBe(true);
	};

	it('writes the newest text card at most once per interval, latest wins, and leaves no timers', async () => {
		const feeder = new BoardFeeder({
			boards: async () => [{ screenId: 's1', name: 'lobby', key: 'rw-key-good-0001' }],
			baseUrl: fake.baseUrl,
			intervalMs: 200
		});
		await feeder.card('n1', { kind: 'text', text: 'first words' });
		await until(() => fake.boards.size === 1);
		expect(boardText(fake.boards.get('rw-key-good-0001')!).join('|')).toContain('FIRST WORDS');
		expect(fake.requests[0].headers['x-vestaboard-read-write-key']).toBe('rw-key-good-0001');

		// Three cards inside one interval: only the last is written, once.
		await feeder.card('n1', { kind: 'text', text: 'second' });
		await feeder.card('n1', { kind: 'image' });
		await feeder.card('n1', { kind: 'text', text: 'third' });
		await until(() => fake.requests.length === 2);
		await new Promise((r) => setTimeout(r, 300));
		expect(fake.requests).toHaveLength(2);
		expect(boardText(fake.boards.get('rw-key-good-0001')!).join('|')).toContain('THIRD');
		expect(feeder.status('s1')).toMatchObject({ error: null });
		feeder.close();
	});

	it('reports a refused key without the key in the message', async () => {
		const log = { warn: vi.fn() };
		const feeder = new BoardFeeder({
			boards: async () => [{ screenId: 's2', name: 'hall', key: 'rw-key-bad-9999' }],
			baseUrl: fake.baseUrl,
			intervalMs: 50,
			log
		});
		await feeder.card('n2', { kind: 'text', text: 'hello' });
		await until(() => feeder.status('s2').error !== null);
		expect(feeder.status('s2').error).toBe('The Vestaboard refused its read-write key.');
		expect(log.warn.mock.calls[0][0]).not.toContain('rw-key-bad');
		feeder.close();
	});
});
