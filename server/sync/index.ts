// The sync server's public surface, for app.ts and the upgrade hook.
export { CLOSE } from './protocol';
export { SyncRoom, RoomClosedError, type SyncSocket, type SyncSession, type SessionOptions, type SyncLog } from './room';
export { SyncRooms, RoomUnavailableError, type RoomLease, type SyncRoomsOptions } from './rooms';
export { KyselyUpdateStore, MemoryUpdateStore, type UpdateStore } from './store';
export {
	createUpgradeHandler,
	isSyncPath,
	roomFromPath,
	DEFAULT_LIMITS,
	type Authorize,
	type AuthorizeResult,
	type SyncLimits,
	type UpgradeHandler
} from './upgrade';
