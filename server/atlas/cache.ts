import type { Atlas } from '../shared/atlas';

/**
 * The last few atlases computed, least recently used out first. Keys name the runs and how far
 * each got, so an atlas is never stale: a run that moved on is another key. Per process: in
 * cluster mode each process computes its own once.
 */
export class AtlasCache {
	private entries = new Map<string, Atlas>();

	constructor(private capacity: number) {}

	get(key: string): Atlas | undefined {
		const found = this.entries.get(key);
		if (found) {
			this.entries.delete(key);
			this.entries.set(key, found);
		}
		return found;
	}

	set(key: string, atlas: Atlas): void {
		this.entries.delete(key);
		this.entries.set(key, atlas);
		while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
	}
}
