import { describe, expect, test } from 'vitest';
import { EngineEvents } from '../engine/events';
import { RunWatch } from './run-watch';

const card = (networkId: string, runId: string, seq: number) => ({
	networkId,
	runId,
	card: { id: `i${seq}`, runId, nodeId: 'a', modelId: 'dummy/echo', seq, kind: 'text' as const, text: 'x', createdAt: '' }
});
const end = (networkId: string, runId: string, completedSteps: number) => ({ networkId, runId, cause: 'dead_end' as const, completedSteps });
const never = async () => false;

describe('RunWatch', () => {
	test('cards and the end that come before the run id is known are handed over once it is', async () => {
		const events = new EngineEvents();
		const watch = new RunWatch(events, 'n');
		events.emit('card', card('n', 'r1', 1));
		events.emit('card', card('other', 'r9', 1)); // another network's run
		events.emit('card', card('n', 'r1', 2));
		events.emit('ended', end('n', 'r1', 2));
		const steps: number[] = [];
		expect(await watch.follow('r1', (d) => steps.push(d), never)).toBe(2);
		expect(steps).toEqual([2]);
		watch.close();
		expect(events.listenerCount('card') + events.listenerCount('ended')).toBe(0);
	});

	test('steps are told as they come, and the end resolves with the engine count', async () => {
		const events = new EngineEvents();
		const watch = new RunWatch(events, 'n');
		const steps: number[] = [];
		const ended = watch.follow('r1', (d) => steps.push(d), never);
		events.emit('card', card('n', 'r1', 1));
		events.emit('card', card('n', 'r0', 7)); // an earlier run's late card is not this run's
		events.emit('card', card('n', 'r1', 2));
		events.emit('ended', end('n', 'r0', 7));
		events.emit('ended', end('n', 'r1', 2));
		expect(await ended).toBe(2);
		expect(steps).toEqual([1, 1]);
		watch.close();
	});

	test('a run that ended without the engine saying so here ends with the cards seen', async () => {
		const events = new EngineEvents();
		const watch = new RunWatch(events, 'n');
		events.emit('card', card('n', 'r1', 1));
		expect(await watch.follow('r1', undefined, async () => true)).toBe(1);
		watch.close();
	});
});
