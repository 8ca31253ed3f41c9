import { describe, expect, test } from 'vitest';
import { TypedEmitter } from './typed-emitter';

interface Events {
	changed: { id: string };
	gone: { id: string };
}

describe('TypedEmitter', () => {
	test('emit waits for every listener, one after another in subscription order', async () => {
		const events = new TypedEmitter<Events>();
		const seen: string[] = [];
		events.on('changed', async ({ id }) => {
			await new Promise((r) => setTimeout(r, 20));
			seen.push(`slow ${id}`);
		});
		events.on('changed', ({ id }) => void seen.push(`quick ${id}`));
		events.on('gone', ({ id }) => void seen.push(`gone ${id}`));
		await events.emit('changed', { id: 'n1' });
		expect(seen).toEqual(['slow n1', 'quick n1']);
	});

	test('a listener that throws stops the rest, and the error reaches the emitter', async () => {
		const events = new TypedEmitter<Events>();
		const seen: string[] = [];
		events.on('gone', () => void seen.push('first'));
		events.on('gone', async () => {
			throw new Error('could not stop the run');
		});
		events.on('gone', () => void seen.push('after'));
		await expect(events.emit('gone', { id: 'n1' })).rejects.toThrow('could not stop the run');
		expect(seen).toEqual(['first']);
	});

	test('unsubscribing stops the calls; emitting with no listeners does nothing', async () => {
		const events = new TypedEmitter<Events>();
		const seen: string[] = [];
		const off = events.on('changed', ({ id }) => void seen.push(id));
		await events.emit('changed', { id: 'a' });
		off();
		await events.emit('changed', { id: 'b' });
		await events.emit('gone', { id: 'c' });
		expect(seen).toEqual(['a']);
	});
});
