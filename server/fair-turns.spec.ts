import { describe, expect, test } from 'vitest';
import { FairTurns } from './fair-turns';

const tick = () => new Promise((r) => setImmediate(r));
/** A task that stays running until its `finish` is called. */
function held() {
	let finish!: () => void;
	const done = new Promise<void>((r) => (finish = r));
	return { finish, task: () => done };
}

describe('FairTurns', () => {
	test('runs at most `slots` tasks at once; the rest wait and then run', async () => {
		const gate = new FairTurns(2);
		const a = held();
		const b = held();
		const c = held();
		const started: string[] = [];
		const runs = [
			gate.run('r1', undefined, () => (started.push('a'), a.task())),
			gate.run('r2', undefined, () => (started.push('b'), b.task())),
			gate.run('r3', undefined, () => (started.push('c'), c.task()))
		];
		await tick();
		expect(started).toEqual(['a', 'b']);
		expect([gate.running, gate.queued]).toEqual([2, 1]);
		a.finish();
		await tick();
		await tick();
		expect(started).toEqual(['a', 'b', 'c']);
		b.finish();
		c.finish();
		await Promise.all(runs);
		expect([gate.running, gate.queued]).toEqual([0, 0]);
	});

	test('turns go round-robin between keys, however many tasks one key queued', async () => {
		const gate = new FairTurns(1);
		const first = held();
		const order: string[] = [];
		const all = [gate.run('busy', undefined, first.task)];
		for (let i = 0; i < 4; i++) all.push(gate.run('busy', undefined, () => void order.push(`busy${i}`)));
		all.push(gate.run('quiet', undefined, () => void order.push('quiet0')));
		all.push(gate.run('quiet', undefined, () => void order.push('quiet1')));
		first.finish();
		await Promise.all(all);
		expect(order).toEqual(['busy0', 'quiet0', 'busy1', 'quiet1', 'busy2', 'busy3']);
	});

	test('a turn is handed over after pending I/O callbacks, not in the same microtask', async () => {
		const gate = new FairTurns(1);
		const events: string[] = [];
		const a = gate.run('r1', undefined, () => void events.push('a'));
		const b = gate.run('r2', undefined, () => void events.push('b'));
		await a;
		events.push('after a');
		await b;
		expect(events).toEqual(['a', 'after a', 'b']);
	});

	test('an aborted waiter leaves the line with the reason; a released slot still goes to the next', async () => {
		const gate = new FairTurns(1);
		const first = held();
		const running = gate.run('r1', undefined, first.task);
		const abort = new AbortController();
		const abandoned = gate.run('r2', abort.signal, () => 'never');
		const next = gate.run('r3', undefined, () => 'next');
		abort.abort(new Error('run ended'));
		await expect(abandoned).rejects.toThrow('run ended');
		expect(gate.queued).toBe(1);
		first.finish();
		await running;
		expect(await next).toBe('next');
		// Already aborted: refused at once.
		await expect(gate.run('r4', abort.signal, () => 'never')).rejects.toThrow('run ended');
	});

	test('a failing task gives its slot back', async () => {
		const gate = new FairTurns(1);
		await expect(gate.run('r1', undefined, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		expect(await gate.run('r1', undefined, () => 7)).toBe(7);
		expect(gate.running).toBe(0);
	});
});
