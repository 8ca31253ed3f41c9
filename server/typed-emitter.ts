/** What a listener takes: the event's payload. Whatever it returns is awaited (a promise: until it settles). */
export type Listener<Payload> = (payload: Payload) => unknown;

/**
 * Typed events whose `emit` waits for its listeners. Node's EventEmitter calls listeners and
 * forgets them; a change of state here usually has consequences the caller must not answer
 * before (sockets closed before the HTTP response says access is gone, a run stopped before
 * its network's row goes). So listeners run one after another, in the order they subscribed,
 * each awaited; the first that throws stops the rest and its error reaches whoever emitted,
 * exactly as the same steps written one after another would.
 */
export class TypedEmitter<Events extends object> {
	private listeners = new Map<keyof Events, Array<Listener<never>>>();

	/** Subscribes; returns the unsubscribe. */
	on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
		const list = this.listeners.get(name) ?? [];
		list.push(listener);
		this.listeners.set(name, list);
		return () => {
			const at = list.indexOf(listener);
			if (at >= 0) list.splice(at, 1);
		};
	}

	async emit<Name extends keyof Events>(name: Name, payload: Events[Name]): Promise<void> {
		// A copy: a listener that unsubscribes (or subscribes another) does not shift this round.
		for (const listener of [...(this.listeners.get(name) ?? [])] as Array<Listener<Events[Name]>>) await listener(payload);
	}
}
