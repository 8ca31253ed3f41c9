import type { ApiClient } from './server';

/** One Server-Sent Event as EventSource would hand it over (comments come as `comment`). */
export interface SseEvent {
	event: string;
	data: any;
}

/** Reads a stream of Server-Sent Events, collecting events (and comments as 'comment'). */
export function readSse(stream: ReadableStream<Uint8Array>) {
	const events: SseEvent[] = [];
	const raw: string[] = [];
	const r = stream.getReader();
	let buffer = '';
	const done = (async () => {
		const decoder = new TextDecoder();
		for (;;) {
			const { value, done } = await r.read().catch(() => ({ value: undefined, done: true }));
			if (done) return;
			buffer += decoder.decode(value, { stream: true });
			let end;
			while ((end = buffer.indexOf('\n\n')) !== -1) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				raw.push(block);
				if (block.startsWith(':')) events.push({ event: 'comment', data: block });
				const name = /^event: (.*)$/m.exec(block)?.[1];
				const data = /^data: (.*)$/m.exec(block)?.[1];
				if (name) events.push({ event: name, data: data ? JSON.parse(data) : null });
			}
		}
	})();
	return { events, raw, done, cancel: () => r.cancel() };
}

/** Opens a feed over HTTP with the client's cookies, as the phone page's EventSource would. */
export async function openFeed(client: ApiClient, path: string) {
	const res = await client.request('GET', path);
	if (res.status !== 200 || !res.body) return { res, events: [] as SseEvent[], done: Promise.resolve(), close: async () => {} };
	const sse = readSse(res.body);
	return { res, events: sse.events, done: sse.done, close: () => sse.cancel().catch(() => {}) };
}
