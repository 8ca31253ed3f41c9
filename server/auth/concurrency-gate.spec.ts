import { expect, test } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate';

const deferred = () => {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
};

test('runs at most `limit` tasks at once, the rest in arrival order', async () => {
	const gate = new ConcurrencyGate(2, 10, 'busy');
	const started: number[] = [];
	const finish = Array.from({ length: 5 }, deferred);
	const runs = finish.map((d, i) => gate.run(async () => (started.push(i), await d.promise, i)));
	await Promise.resolve();
	expect(started).toEqual([0, 1]);
	finish[1].resolve();
	await runs[1];
	await new Promise((r) => setTimeout(r));
	expect(started).toEqual([0, 1, 2]);
	finish.forEach((d) => d.resolve());
	expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
	expect(started).toEqual([0, 1, 2, 3, 4]);
});

test('a full queue refuses with a 503 at once; a failed task frees its slot', async () => {
	const gate = new ConcurrencyGate(1, 1, 'Busy checking passwords.');
	const hold = deferred();
	const first = gate.run(() => hold.promise);
	const second = gate.run(async () => 'second');
	await expect(gate.run(async () => 'third')).rejects.toMatchObject({ status: 503, message: 'Busy checking passwords.' });
	hold.resolve();
	await first;
	expect(await second).toBe('second');
	await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
	expect(await gate.run(async () => 'after')).toBe('after');
});
