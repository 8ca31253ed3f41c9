// The production server: SvelteKit's adapter-node handler for pages and the API, plus
// (from the sync issue on) WebSocket upgrades, on one port and one domain instance.
import http from 'node:http';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';

// Without ORIGIN, adapter-node assumes https. We know better: tell it the real scheme of
// each request through a header only this server sets (any client-sent copy is replaced).
const PROTO = 'x-panic-forwarded-proto';
if (!process.env.ORIGIN) process.env.PROTOCOL_HEADER = PROTO;
const PROCESS_HEADER = 'x-panic-process';
// API bodies are limited by the app itself (with JSON errors); this only caps uploads.
process.env.BODY_SIZE_LIMIT ??= '200M'; // run-export ZIPs (POST /api/runs/import) go up to 200 MB

const { handler } = await import('../build/handler.js');
const instance = () => globalThis[Symbol.for('panic.instance')];
// The handler's init has created the domain; its config says how patient the server is.
const { headersTimeoutMs, requestTimeoutMs, maxSockets, listenBacklog, connectionLimits, joinLines, distrustForwarding, processTag } = (await instance()).httpServer;
console.log(`[panic] ${connectionLimits}`);
// bench:soak reads memory, event-loop delay and handles over the IPC channel it opened; never
// over HTTP, and never without both the variable and a parent's channel (scripts/soak-probe.js).
if (process.env.PANIC_SOAK_PROBE === '1' && process.send) (await import('./soak-probe.js')).attachSoakProbe(instance);

const server = http.createServer(
	{
		// A client dribbling its request or upgrade headers holds a descriptor for nothing: cut it
		// (408) once headersTimeout passes. Node checks only every connectionsCheckingInterval
		// (30 s by default), so check often enough for the timeout to mean what it says.
		headersTimeout: headersTimeoutMs,
		requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
		connectionsCheckingInterval: Math.min(1000, headersTimeoutMs)
	},
	(req, res) => {
		req.headers[PROTO] = req.socket.encrypted ? 'https' : 'http';
		// Before adapter-node reads the client's address: only a trusted proxy may name it.
		distrustForwarding(req);
		// Cluster mode: which process behind the load balancer answered (an opaque tag).
		if (processTag) res.setHeader(PROCESS_HEADER, processTag);
		// On every response, built scripts and static files included (those never reach the app's
		// hooks): no content-type guessing, no URLs (join codes, kiosk tokens) in other sites' logs.
		res.setHeader('x-content-type-options', 'nosniff');
		res.setHeader('referrer-policy', 'same-origin');
		handler(req, res);
	}
);
// Past this many open sockets new ones are dropped at once, so the database and files never
// meet EMFILE; long-lived connections are capped well below it (server/http/connection-admission.ts).
if (Number.isFinite(maxSockets)) server.maxConnections = maxSockets;

server.on('upgrade', async (req, socket, head) => {
	distrustForwarding(req);
	if (processTag) tagSwitchingProtocols(socket, processTag);
	const panic = await instance();
	if (panic?.handleUpgrade) return panic.handleUpgrade(req, socket, head);
	socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
});

/**
 * Adds the process tag to the 101 answer of an accepted WebSocket upgrade. ws writes that
 * answer to the raw socket in one string, outside any response object; the first write is it
 * (or a refusal, left as is), so only that one write is looked at.
 */
function tagSwitchingProtocols(socket, tag) {
	const write = socket.write;
	socket.write = function (chunk, ...rest) {
		socket.write = write;
		if (typeof chunk === 'string' && chunk.startsWith('HTTP/1.1 101 ')) {
			chunk = chunk.replace('\r\n', `\r\n${PROCESS_HEADER}: ${tag}\r\n`);
		}
		return write.call(this, chunk, ...rest);
	};
}

// A hall's phones reconnect together after a Wi-Fi blip; Node's default queue of 511 pending
// connections overflows on such a burst when the process is busy, and the kernel then drops
// connection attempts (a second or three of retries each, /api/health included).
server.listen({ port, host, backlog: listenBacklog }, () => {
	console.log(`[panic] listening on http://localhost:${port}`);
	for (const line of joinLines(host, port)) console.log(`[panic] ${line}`);
});

let stopping = false;
async function shutdown(signal) {
	if (stopping) return;
	stopping = true;
	console.log(`[panic] ${signal}: shutting down`);
	server.close();
	server.closeIdleConnections?.();
	const timer = setTimeout(() => process.exit(1), 10_000);
	timer.unref();
	try {
		await (await instance())?.close();
	} finally {
		process.exit(0);
	}
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
