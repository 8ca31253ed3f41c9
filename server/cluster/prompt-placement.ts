import { ownRun, type EngineEventSource, type RunRef } from '../engine/events';
import type { Cluster } from './cluster';

/** The slice of the engine placement asks: is the network's run held here, and is one running anywhere. */
export interface PlacementEngine {
	activeRun(networkId: string): unknown;
	/** The network's own running run (lane 0), wherever it is held. */
	runningIds(networkId: string): Promise<string[]>;
	/** This process's own runs' events (a run taken here). */
	events: EngineEventSource;
}

interface Poke {
	networkId: string;
}

const POKE_TOPIC = 'prompts:poke';

/**
 * Cluster mode: where a network's audience prompt queue is scheduled. Exactly one process
 * decides for a network at a time, so two processes never start two prompts at once:
 *
 * - while the network has a running run, the process holding it (it knows the run's lockout
 *   and whether it is paused); a poke elsewhere (a prompt sent to another process) is passed
 *   on over the bus, and a process that takes a run over looks at the queue at once;
 * - while none runs, the process holding a short Redis lock for the network (`lockMs`, set if
 *   absent), renewed by its own later looks, taken by another only once it lapsed.
 */
export class PromptPlacement {
	/** Networks poked from another process: not passed on again (no ping-pong). */
	private readonly relayed = new Set<string>();
	private readonly unsubscribe: Array<() => void> = [];

	constructor(
		private readonly cluster: Pick<Cluster, 'prefix' | 'processId' | 'redis' | 'bus'>,
		private readonly engine: PlacementEngine,
		private readonly lockMs = 5000
	) {}

	/** Lets pokes from other processes, and runs taken over here, reach this process's scheduler. */
	attach(scheduler: { poke(networkId: string): void }): void {
		this.unsubscribe.push(
			this.cluster.bus.subscribe<Poke>(POKE_TOPIC, ({ networkId }, from) => {
				if (from === this.cluster.processId) return;
				this.relayed.add(networkId);
				scheduler.poke(networkId);
			})
		);
		// The network's own run taken here (lane 0): its queue is scheduled here now. Other lanes are an experiment's.
		const taken = (event: RunRef) => {
			if (ownRun(event)) scheduler.poke(event.networkId);
		};
		this.engine.events.on('started', taken);
		this.unsubscribe.push(() => this.engine.events.off('started', taken));
	}

	/** Whether this process schedules the network's queue now (see the class comment). */
	async decides(networkId: string): Promise<boolean> {
		const relayed = this.relayed.delete(networkId);
		if (this.engine.activeRun(networkId)) return true;
		if ((await this.engine.runningIds(networkId)).length) {
			if (!relayed) await this.cluster.bus.publish<Poke>(POKE_TOPIC, { networkId });
			return false;
		}
		const redis = this.cluster.redis!;
		const key = `${this.cluster.prefix}:prompts:decider:${networkId}`;
		if ((await redis.set(key, this.cluster.processId, 'PX', this.lockMs, 'NX')) === 'OK') return true;
		// Ours already: keep it a while longer.
		if ((await redis.get(key)) !== this.cluster.processId) return false;
		await redis.pexpire(key, this.lockMs);
		return true;
	}

	close(): void {
		for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
	}
}
