// A sync server for bench:sync, in its own process so its RSS and CPU are its own.
//   tsx scripts/bench/sync-server.ts ours       PANIC's server/sync over PGlite (real persistence)
//   tsx scripts/bench/sync-server.ts reference  @y/websocket-server's setupWSConnection (in memory)
// Prints `READY <port>` once listening.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const mode = process.argv[2];
const server = http.createServer((_req, res) => res.end('bench'));

if (mode === 'ours') {
	const { openDatabase } = await import('../../server/db/connect');
	const { migrateToLatest } = await import('../../server/db/migrate');
	const { SyncRooms } = await import('../../server/sync/rooms');
	const { KyselyUpdateStore } = await import('../../server/sync/store');
	const { createUpgradeHandler } = await import('../../server/sync/upgrade');
	const { GraphWriteRule } = await import('../../server/graph/write-rule');
	const db = await openDatabase({ url: 'memory://' });
	await migrateToLatest(db);
	// As the app does: graph rooms judge every editor update (BENCH_NO_RULE=1 leaves it out, to compare).
	const rooms = new SyncRooms({
		store: new KyselyUpdateStore(db),
		writeRule: (room) => (room.includes('/') || process.env.BENCH_NO_RULE ? undefined : new GraphWriteRule())
	});
	let n = 0;
	// The bench stands in for the session cookie: a header says the role, each client is its own session.
	const handle = createUpgradeHandler({
		rooms,
		authorize: async (req) => {
			const readOnly = req.headers['x-bench-role'] === 'viewer';
			return { ok: true, readOnly, awareness: !readOnly, sessionKey: `bench-${n++}` };
		}
	});
	server.on('upgrade', handle);
} else if (mode === 'reference') {
	const { setupWSConnection } = await import('@y/websocket-server/utils');
	const wss = new WebSocketServer({ noServer: true });
	server.on('upgrade', (req, socket, head) => {
		wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req, { docName: req.url!.slice('/sync/'.length) }));
	});
} else {
	console.error('usage: sync-server.ts ours|reference');
	process.exit(2);
}

server.listen(0, '127.0.0.1', () => {
	console.log(`READY ${(server.address() as { port: number }).port}`);
});
process.on('SIGTERM', () => process.exit(0));
