import type { Replication } from '../sync/replication';
import type { UpdateStore } from '../sync/store';

/** A change reached a room's doc: `authors` are the user ids behind it, when this process knows them. */
export type Edited = (room: string, authors: readonly string[]) => void;

/**
 * The sync store, telling `edited` about every change it stores. Every change to a graph
 * (an editor's update, an API write, a restore) is appended here before anyone else sees it,
 * so this is where the history learns that a network's graph moved and who moved it, without
 * the rooms knowing about history.
 */
export function watchEdits(store: UpdateStore, edited: Edited): UpdateStore {
	return {
		load: (room) => store.load(room),
		compact: (room, merged, uptoSeq) => store.compact(room, merged, uptoSeq),
		// The same content under a new history: not an edit.
		replace: (room, state, uptoSeq) => store.replace(room, state, uptoSeq),
		async append(room, update, authors = []) {
			const seq = await store.append(room, update, authors);
			edited(room, authors);
			return seq;
		}
	};
}

/**
 * The replication (cluster mode), telling `edited` about every change another process stored
 * into a room this process holds. Every process holding a network's room then sees the same
 * burst and settles at about the same moment; NetworkVersions decides in the database which
 * one records it (the others add the editors they saw to it). The authors of a remote change
 * are known only where it was stored, so none are passed here.
 */
export function watchReplication(replication: Replication, edited: Edited): Replication {
	return {
		deleted: replication.deleted?.bind(replication),
		async attach(room) {
			const link = await replication.attach(room);
			return {
				publishUpdate: (update, seq) => link.publishUpdate(update, seq),
				publishAwareness: (update) => link.publishAwareness(update),
				compacted: (uptoSeq) => link.compacted(uptoSeq),
				close: () => link.close(),
				start(target) {
					link.start({
						applyUpdate(update, seq) {
							target.applyUpdate(update, seq);
							edited(room, []);
						},
						applyAwareness: (update) => target.applyAwareness(update),
						presenceWanted: () => target.presenceWanted(),
						reload: () => target.reload()
					});
				}
			};
		}
	};
}
