import { EventEmitter } from 'node:events';
import type { StopCause } from '../db/schema';
import type { Card } from './feed';
import type { RunSettings } from './settings';

/** Which run an event is about. */
export interface RunRef {
	networkId: string;
	runId: string;
	/**
	 * 0: the network's own run, the one its canvas, phones and displays follow; 1..: an
	 * experiment's extra run on the same network (migrations/0016_run_lanes), which what follows
	 * the network (boards, the prompt queue) leaves alone. Absent on events of older processes: 0.
	 */
	lane?: number;
}

/** Whether the event is about a network's own run (lane 0) rather than an experiment's extra lane. */
export const ownRun = (ref: { lane?: number }): boolean => !ref.lane;

export interface RunStartedEvent extends RunRef {
	/** True for a run picked up after a restart (false: a fresh start). */
	resumedAfterRestart: boolean;
	/** A run resumed after a restart while paused comes back paused. */
	paused: boolean;
}

export interface RunEndedEvent extends RunRef {
	cause: StopCause;
	/** For errors: what went wrong, for people. */
	reason?: string;
	/** Invocations the run completed, all told (a resumed run's earlier ones too). */
	completedSteps: number;
}

export interface CardEvent extends RunRef {
	card: Card;
}

export interface SettingsChangedEvent extends RunRef {
	settings: RunSettings;
}

/**
 * What the engine tells whoever subscribes (board feeder, prompt scheduler, experiment
 * runner), each after the change is recorded. No event is named 'error': Node's emitter
 * throws when an 'error' event has no listener.
 */
export interface EngineEventMap {
	started: [RunStartedEvent];
	paused: [RunRef];
	resumed: [RunRef];
	ended: [RunEndedEvent];
	card: [CardEvent];
	/** Invocations of a run started or failed (completions come as `card`); the run page follows them. */
	invocations: [RunRef];
	settingsChanged: [SettingsChangedEvent];
}

export type EngineEventName = keyof EngineEventMap;

/** The subscribing half, for code that only listens (and fakes of the engine in tests). */
export type EngineEventSource = Pick<EngineEvents, 'on' | 'off' | 'once'>;

/**
 * The engine's lifecycle events. `emit` calls listeners synchronously, one after another; a
 * listener that throws is logged and the others still run, so a subscriber's bug cannot
 * break a run (Node's own emit would throw into the engine).
 */
export class EngineEvents extends EventEmitter<EngineEventMap> {
	constructor(private readonly log: { error(message: string, ...details: unknown[]): void } = console) {
		super();
		// Every experiment lane and every network's scheduler may listen at once.
		this.setMaxListeners(0);
	}

	override emit<K extends EngineEventName>(name: K, ...args: EngineEventMap[K]): boolean {
		// Raw: calling a `once` wrapper removes it, as Node's emit would.
		const listeners = this.rawListeners(name) as Array<(...a: EngineEventMap[K]) => void>;
		for (const listener of listeners) {
			try {
				listener(...args);
			} catch (error) {
				this.log.error(`[engine] a '${name}' listener failed`, error);
			}
		}
		return listeners.length > 0;
	}
}
