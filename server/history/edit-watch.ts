import type { UpdateStore } from '../sync/store';

/**
 * The sync store, telling `edited` about every change it stores. Every change to a graph
 * (an editor's update, an API write, a restore) is appended here before anyone else sees it,
 * so this is where the history learns that a network's graph moved, without the rooms
 * knowing about history.
 */
export function watchEdits(store: UpdateStore, edited: (room: string) => void): UpdateStore {
	return {
		load: (room) => store.load(room),
		compact: (room, merged, uptoSeq) => store.compact(room, merged, uptoSeq),
		async append(room, update) {
			const seq = await store.append(room, update);
			edited(room);
			return seq;
		}
	};
}
