/**
 * One shared clock for every relative date on a page, so a list of a hundred dates sets one
 * timer, not a hundred. It ticks only while something reads it (a mounted RelativeTime).
 */
const TICK_MS = 15_000;

let now = $state(Date.now());
let readers = 0;
let timer: ReturnType<typeof setInterval> | null = null;

export const clock = {
	get now() {
		return now;
	},
	/** Starts ticking for one more reader; returns the function that lets go. */
	hold(): () => void {
		readers++;
		now = Date.now();
		timer ??= setInterval(() => (now = Date.now()), TICK_MS);
		return () => {
			readers--;
			if (readers === 0 && timer) {
				clearInterval(timer);
				timer = null;
			}
		};
	}
};
