import { describe, expect, it } from 'vitest';
import { OneAtATime } from './one-at-a-time';

/** A task that records when it starts and ends, and finishes when told. */
function gatedTask(log: string[], name: string, outcome: 'ok' | 'fail' = 'ok') {
	let open!: () => void;
	const gate = new Promise<void>((resolve) => (open = resolve));
	const task = async () => {
		log.push(`${name} start`);
		await gate;
		log.push(`${name} end`);
		if (outcome === 'fail') throw new Error(name);
		return name;
	};
	return { task, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OneAtATime', () => {
	it('runs the tasks of one key one after another, and of different keys side by side', async () => {
		const locks = new OneAtATime();
		const log: string[] = [];
		const a1 = gatedTask(log, 'a1');
		const a2 = gatedTask(log, 'a2');
		const b1 = gatedTask(log, 'b1');
		const results = [locks.run('a', a1.task), locks.run('a', a2.task), locks.run('b', b1.task)];
		await settle();
		expect(log).toEqual(['a1 start', 'b1 start']);
		a1.open();
		await settle();
		expect(log).toEqual(['a1 start', 'b1 start', 'a1 end', 'a2 start']);
		a2.open();
		b1.open();
		expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1']);
	});

	it('starts the next task after a failed one, and the failure reaches only its caller', async () => {
		const locks = new OneAtATime();
		const log: string[] = [];
		const failing = gatedTask(log, 'x', 'fail');
		const next = gatedTask(log, 'y');
		const first = locks.run('k', failing.task);
		const second = locks.run('k', next.task);
		failing.open();
		await expect(first).rejects.toThrow('x');
		next.open();
		expect(await second).toBe('y');
		expect(log).toEqual(['x start', 'x end', 'y start', 'y end']);
	});

	it('idle resolves once every task queued so far has settled', async () => {
		const locks = new OneAtATime();
		const log: string[] = [];
		const slow = gatedTask(log, 's');
		void locks.run('k', slow.task);
		let idle = false;
		const waiting = locks.idle().then(() => (idle = true));
		await settle();
		expect(idle).toBe(false);
		slow.open();
		await waiting;
		expect(log).toEqual(['s start', 's end']);
	});
});
