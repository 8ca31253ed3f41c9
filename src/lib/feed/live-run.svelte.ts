import { toAnalysis } from '$lib/analysis/analysis';
import type { RunAnalysis } from '$shared/analysis';
import { toInvocation, toOutput, toRunPage, type InvocationView, type Output, type RunView } from './run-detail';

/**
 * One run as it happens, from `GET /api/runs/:id/events` (Server-Sent Events): the run, its
 * newest invocations and its analysis, each replaced whole by the server's next event. The
 * server sends all three on every (re)connect, so reconnecting is all it takes to catch up;
 * `end` says the run is over and the stream is closed for good.
 */
export class LiveRun {
	run = $state.raw<RunView | null>(null);
	/** The newest invocations (at most the server's page), by seq. */
	tail = $state.raw<InvocationView[]>([]);
	/** Invocations in the run so far. */
	total = $state<number | null>(null);
	analysis = $state.raw<RunAnalysis | null>(null);
	outputs = $state.raw<Record<number, Output | null>>({});
	connected = $state(false);
	/** The run ended and the stream with it. */
	ended = $state(false);
	/** Why the server stopped showing this run (access taken away), in its words. */
	closedReason = $state<string | null>(null);

	private source: EventSource | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private retryMs = 3000;

	constructor(private readonly runId: string) {}

	/** Opens the stream; returns the clean-up. */
	start(): () => void {
		this.open();
		const wake = () => document.visibilityState === 'visible' && this.reconnectIfClosed();
		document.addEventListener('visibilitychange', wake);
		window.addEventListener('online', wake);
		return () => {
			document.removeEventListener('visibilitychange', wake);
			window.removeEventListener('online', wake);
			this.close();
		};
	}

	close(): void {
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.retryTimer = null;
		this.source?.close();
		this.source = null;
		this.connected = false;
	}

	private reconnectIfClosed() {
		if (this.ended || (this.source && this.source.readyState !== EventSource.CLOSED)) return;
		this.open();
	}

	private open() {
		this.close();
		const source = new EventSource(`/api/runs/${encodeURIComponent(this.runId)}/events`);
		this.source = source;
		source.addEventListener('open', () => {
			this.connected = true;
			this.retryMs = 3000;
		});
		source.addEventListener('run', (e) => {
			const body = parse(e);
			if (body) this.run = toRunPage(body).run;
		});
		source.addEventListener('invocations', (e) => {
			const body = parse(e) as { items?: unknown; total?: unknown } | null;
			if (!body || !Array.isArray(body.items)) return;
			this.tail = (body.items as Record<string, unknown>[]).map(toInvocation).sort((a, b) => a.seq - b.seq);
			if (typeof body.total === 'number') this.total = body.total;
		});
		source.addEventListener('analysis', (e) => {
			const body = parse(e) as { analysis?: unknown; outputs?: Record<string, unknown> } | null;
			if (!body?.analysis) return;
			this.analysis = toAnalysis(body.analysis);
			const outputs: Record<number, Output | null> = {};
			for (const [seq, output] of Object.entries(body.outputs ?? {})) outputs[Number(seq)] = toOutput(output);
			this.outputs = outputs;
		});
		source.addEventListener('end', () => {
			this.ended = true;
			this.close();
		});
		source.addEventListener('closed', (e) => {
			this.closedReason = (parse(e) as { reason?: string } | null)?.reason ?? 'This run is no longer shown here.';
			this.ended = true;
			this.close();
		});
		source.addEventListener('error', () => {
			this.connected = false;
			if (source !== this.source || source.readyState !== EventSource.CLOSED) return; // EventSource retries by itself
			// Refused or the server is away: try again later with a growing delay.
			this.retryTimer = setTimeout(() => this.reconnectIfClosed(), this.retryMs);
			this.retryMs = Math.min(this.retryMs * 2, 30_000);
		});
	}
}

function parse(e: Event): unknown {
	try {
		return JSON.parse((e as MessageEvent<string>).data);
	} catch {
		return null;
	}
}
