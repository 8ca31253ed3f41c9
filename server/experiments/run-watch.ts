import type { CardEvent, EngineEventSource, RunEndedEvent } from '../engine/events';

/**
 * Follows the runs of one network through the engine's events. Made before the run starts,
 * so none of its cards or its end can slip by between the start and learning its id; what
 * comes before the id is known is kept by run id and handed over once it is.
 */
export class RunWatch {
	private readonly cards = new Map<string, number>();
	private readonly ends = new Map<string, RunEndedEvent>();
	private followed: { runId: string; onStep?: (delta: number) => void; resolve: (steps: number) => void } | null = null;

	constructor(
		private readonly events: EngineEventSource,
		private readonly networkId: string
	) {
		events.on('card', this.onCard);
		events.on('ended', this.onEnded);
	}

	/**
	 * Resolves with the run's completed steps once it ended. `onStep` hears of its steps: at
	 * once of those before the call, then of each as it comes. `isOver` is asked once, after
	 * following began, for a run that ended without the engine saying so here (stopped while
	 * not active in this process): then its steps are the cards seen.
	 */
	follow(runId: string, onStep: ((delta: number) => void) | undefined, isOver: () => Promise<boolean>): Promise<number> {
		const seen = this.cards.get(runId) ?? 0;
		if (seen) onStep?.(seen);
		const ended = new Promise<number>((resolve) => {
			this.followed = { runId, onStep, resolve };
		});
		const known = this.ends.get(runId);
		if (known) this.followed!.resolve(known.completedSteps);
		else
			void isOver().then(
				(over) => {
					if (over && !this.ends.has(runId)) this.followed?.resolve(this.cards.get(runId) ?? 0);
				},
				() => {} // the end event still comes
			);
		return ended;
	}

	close(): void {
		this.events.off('card', this.onCard);
		this.events.off('ended', this.onEnded);
		this.followed = null;
	}

	private onCard = ({ networkId, runId }: CardEvent) => {
		if (networkId !== this.networkId) return;
		this.cards.set(runId, (this.cards.get(runId) ?? 0) + 1);
		if (this.followed?.runId === runId) this.followed.onStep?.(1);
	};

	private onEnded = (end: RunEndedEvent) => {
		if (end.networkId !== this.networkId) return;
		this.ends.set(end.runId, end);
		if (this.followed?.runId === end.runId) this.followed.resolve(end.completedSteps);
	};
}
