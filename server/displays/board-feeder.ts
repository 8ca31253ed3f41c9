import { layoutBoard, VestaboardError, writeBoard } from './vestaboard';

/**
 * Keeps a network's Vestaboards showing its newest text card. A board takes a message about
 * every 15 s, and a loop can produce several a second, so each board gets the latest text
 * at most once per interval (latest wins; in-between cards are skipped, never queued).
 */
export const BOARD_INTERVAL_MS = 15_000;

export interface Board {
	screenId: string;
	name: string;
	key: string;
}

export interface BoardFeederDeps {
	/** The boards of a network (read when a card arrives; cached briefly). */
	boards(networkId: string): Promise<Board[]>;
	baseUrl?: string;
	fetch?: typeof fetch;
	intervalMs?: number;
	now?: () => number;
	log?: { warn(message: string): void };
}

interface BoardState {
	lastSentAt: number;
	pending?: string;
	timer?: ReturnType<typeof setTimeout>;
	/** The last failure, for the facilitator; cleared by a success. */
	error?: string;
}

export class BoardFeeder {
	private states = new Map<string, BoardState>();
	private cache = new Map<string, { at: number; boards: Promise<Board[]> }>();
	private closed = false;
	private readonly intervalMs: number;
	private readonly now: () => number;

	constructor(private deps: BoardFeederDeps) {
		this.intervalMs = deps.intervalMs ?? BOARD_INTERVAL_MS;
		this.now = deps.now ?? Date.now;
	}

	/** A card arrived on a network's feed: text cards go to its boards. */
	async card(networkId: string, card: { kind: string; text?: string }): Promise<void> {
		if (this.closed || card.kind !== 'text' || !card.text?.trim()) return;
		for (const board of await this.boardsOf(networkId)) this.offer(board, card.text);
	}

	/** Forget cached boards (after the installation changed). */
	invalidate(networkId: string): void {
		this.cache.delete(networkId);
	}

	status(screenId: string): { lastSentAt: number | null; error: string | null } {
		const state = this.states.get(screenId);
		return { lastSentAt: state?.lastSentAt || null, error: state?.error ?? null };
	}

	close(): void {
		this.closed = true;
		for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
		this.states.clear();
	}

	private boardsOf(networkId: string): Promise<Board[]> {
		const cached = this.cache.get(networkId);
		if (cached && this.now() - cached.at < 30_000) return cached.boards;
		const boards = this.deps.boards(networkId).catch(() => []);
		this.cache.set(networkId, { at: this.now(), boards });
		return boards;
	}

	private offer(board: Board, text: string): void {
		const state = this.states.get(board.screenId) ?? { lastSentAt: 0 };
		this.states.set(board.screenId, state);
		state.pending = text;
		if (state.timer) return; // a send is already scheduled; it will take the newest text
		const wait = Math.max(0, state.lastSentAt + this.intervalMs - this.now());
		state.timer = setTimeout(() => void this.send(board, state), wait);
	}

	private async send(board: Board, state: BoardState): Promise<void> {
		state.timer = undefined;
		const text = state.pending;
		state.pending = undefined;
		if (this.closed || text === undefined) return;
		state.lastSentAt = this.now();
		try {
			await writeBoard(layoutBoard(text), board.key, { baseUrl: this.deps.baseUrl, fetch: this.deps.fetch });
			state.error = undefined;
		} catch (error) {
			state.error = error instanceof VestaboardError ? error.message : 'The Vestaboard could not be written.';
			this.deps.log?.warn(`[displays] board ${board.name}: ${state.error}`);
		}
	}
}
