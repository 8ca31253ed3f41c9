import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Control messages every process must hear: close a principal's sockets and streams, evict a
 * room, a run's stop or pause. In cluster mode they travel over Redis pub/sub; in the single
 * process they stay in memory. Either way a publisher hears its own messages too, so a caller
 * writes one code path ("publish, and act when it arrives") for both modes.
 *
 * Pub/sub is fire-and-forget: a process that is down misses the message. Use it only for
 * things whose durable truth is in PostgreSQL (a run's status, a member's role) or that
 * concern live connections, which die with their process anyway.
 */
export interface ControlBus {
	/** Sends `message` (JSON-serialisable) to every subscriber of `topic` in every process. */
	publish<T>(topic: string, message: T): Promise<void>;
	/** Calls `handler` for each message on `topic`, with the publishing process's id; returns an unsubscribe. */
	subscribe<T>(topic: string, handler: (message: T, from: string) => void): () => void;
	close(): Promise<void>;
}

/** The single process: messages go straight to this process's subscribers, on a later tick. */
export class LocalBus implements ControlBus {
	private readonly emitter = new EventEmitter().setMaxListeners(0);
	constructor(private readonly processId: string) {}

	async publish<T>(topic: string, message: T): Promise<void> {
		// A round trip through JSON, as over Redis, so nothing relies on sharing an object.
		const copy = JSON.parse(JSON.stringify(message)) as T;
		queueMicrotask(() => this.emitter.emit(topic, copy, this.processId));
	}

	subscribe<T>(topic: string, handler: (message: T, from: string) => void): () => void {
		this.emitter.on(topic, handler);
		return () => this.emitter.off(topic, handler);
	}

	async close(): Promise<void> {
		this.emitter.removeAllListeners();
	}
}

interface Envelope {
	from: string;
	message: unknown;
}

/**
 * Redis pub/sub: one subscriber connection per process (a connection in subscribe mode can do
 * nothing else), channels named `<prefix>:bus:<topic>`.
 */
export class RedisBus implements ControlBus {
	private readonly emitter = new EventEmitter().setMaxListeners(0);
	private readonly subscribed = new Set<string>();

	constructor(
		private readonly publisher: Redis,
		private readonly subscriber: Redis,
		private readonly prefix: string,
		private readonly processId: string,
		private readonly log: Pick<Console, 'warn'> = console
	) {
		subscriber.on('message', (channel: string, raw: string) => {
			let envelope: Envelope;
			try {
				envelope = JSON.parse(raw) as Envelope;
			} catch {
				this.log.warn(`[bus] dropped a malformed message on ${channel}`);
				return;
			}
			this.emitter.emit(channel, envelope.message, envelope.from);
		});
	}

	private channel(topic: string) {
		return `${this.prefix}:bus:${topic}`;
	}

	async publish<T>(topic: string, message: T): Promise<void> {
		await this.publisher.publish(this.channel(topic), JSON.stringify({ from: this.processId, message } satisfies Envelope));
	}

	subscribe<T>(topic: string, handler: (message: T, from: string) => void): () => void {
		const channel = this.channel(topic);
		if (!this.subscribed.has(channel)) {
			this.subscribed.add(channel);
			this.subscriber.subscribe(channel).catch((error) => this.log.warn(`[bus] subscribing to ${channel} failed`, error));
		}
		this.emitter.on(channel, handler as (message: unknown, from: string) => void);
		return () => this.emitter.off(channel, handler as (message: unknown, from: string) => void);
	}

	async close(): Promise<void> {
		this.emitter.removeAllListeners();
	}
}
