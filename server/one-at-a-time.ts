/**
 * Tasks run one after another per key (a network, say), and side by side across keys. A task
 * starts once every earlier task of its key has settled, whether it succeeded or failed. Used
 * where a check and the write that depends on it must not interleave with another's within
 * this process: numbering joins, admitting prompts, starting and stopping runs.
 */
export class OneAtATime {
	private tails = new Map<string, Promise<unknown>>();

	run<T>(key: string, task: () => Promise<T>): Promise<T> {
		const previous = this.tails.get(key) ?? Promise.resolve();
		const next = previous.then(task, task);
		const tail = next.catch(() => {});
		this.tails.set(key, tail);
		void tail.then(() => {
			if (this.tails.get(key) === tail) this.tails.delete(key);
		});
		return next;
	}

	/** Resolves once every task queued so far has settled. */
	async idle(): Promise<void> {
		await Promise.all(this.tails.values());
	}
}
