/** A throttled function that can also be flushed (run the pending call now) or cancelled. */
export interface Throttled<A extends unknown[]> {
	(...args: A): void;
	/** Runs the pending trailing call now, if there is one. */
	flush(): void;
	/** Drops the pending trailing call. */
	cancel(): void;
}

/**
 * Leading and trailing throttle: the first call runs at once, later calls within `ms` collapse
 * into one trailing call with the latest arguments. Drags and cursors use it so peers see
 * ~20 updates a second, and `flush` makes sure the last position is never lost.
 */
export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): Throttled<A> {
	let last = -Infinity;
	let timer: ReturnType<typeof setTimeout> | null = null;
	let pending: A | null = null;

	const run = () => {
		if (timer) clearTimeout(timer);
		timer = null;
		const args = pending;
		pending = null;
		if (args) {
			last = Date.now();
			fn(...args);
		}
	};

	const throttled = ((...args: A) => {
		pending = args;
		const wait = last + ms - Date.now();
		if (wait <= 0) run();
		else timer ??= setTimeout(run, wait);
	}) as Throttled<A>;
	throttled.flush = run;
	throttled.cancel = () => {
		if (timer) clearTimeout(timer);
		timer = null;
		pending = null;
	};
	return throttled;
}
