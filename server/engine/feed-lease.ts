import type { RoomLease } from '../sync/rooms';
import type { SyncRoom } from '../sync/room';

/** The slice of SyncRooms a feed lease renews itself from. */
export interface RoomSource {
	acquire(name: string): Promise<RoomLease>;
}

/**
 * A run's hold on its network's feed room. A room whose store refused a write has failed for
 * good (SyncRoom closes it and the registry forgets it); `renew` then takes a lease on a fresh
 * load of the same room and lets go of the failed one, so the run goes on writing where
 * viewers reconnect to instead of into a dead room.
 */
export class FeedLease {
	constructor(
		private readonly rooms: RoomSource,
		readonly name: string,
		private lease: RoomLease
	) {}

	get room(): SyncRoom {
		return this.lease.room;
	}

	/** A fresh room if the held one failed; null if it is still open (then nothing changes). */
	async renew(): Promise<SyncRoom | null> {
		if (this.lease.room.state === 'open') return null;
		const fresh = await this.rooms.acquire(this.name);
		const failed = this.lease;
		this.lease = fresh;
		await failed.release();
		return fresh.room;
	}

	release(): Promise<void> {
		return this.lease.release();
	}
}
