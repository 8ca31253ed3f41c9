/**
 * Vestaboard output: the newest text of a loop on a split-flap board, through the board's
 * Read/Write API (`POST https://rw.vestaboard.com/` with the board's read-write key in
 * `X-Vestaboard-Read-Write-Key`, body a 6×22 array of character codes). Codes are laid out
 * here so words wrap where we choose instead of where the board's text mode would.
 */
export const ROWS = 6;
export const COLS = 22;
export const VESTABOARD_DEFAULT_BASE_URL = 'https://rw.vestaboard.com/';

/** Character codes by position: 0 blank, 1–26 A–Z, 27–36 1–9 and 0, then punctuation. */
const PRINTABLE = " ABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890!@#$() - +&=;: '\"%,.  /? °";
const CODES = new Map<string, number>([...PRINTABLE].flatMap((c, i) => (i === 0 || c !== ' ' ? [[c, i] as [string, number]] : [])));

/** Letters a board can show: accents folded (é → E), typographic quotes straightened, the rest dropped. */
export function boardCharacters(text: string): number[] {
	const folded = text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[‘’]/g, "'")
		.replace(/[“”]/g, '"')
		.replace(/[–—]/g, '-')
		.replace(/\s+/g, ' ')
		.toUpperCase();
	return [...folded].flatMap((c) => (CODES.has(c) ? [CODES.get(c)!] : []));
}

/**
 * The text as a full board: words wrapped to 22 columns (a word longer than a row is cut),
 * at most 6 rows (an ellipsis of dots when it does not fit), each row centred, the block
 * centred vertically.
 */
export function layoutBoard(text: string): number[][] {
	const words = splitWords(boardCharacters(text));
	const lines: number[][] = [];
	let line: number[] = [];
	for (const word of words) {
		for (let piece = word; piece.length; piece = piece.slice(COLS)) {
			const chunk = piece.slice(0, COLS);
			if (line.length && line.length + 1 + chunk.length > COLS) {
				lines.push(line);
				line = [];
			}
			line = line.length ? [...line, 0, ...chunk] : chunk;
		}
	}
	if (line.length) lines.push(line);
	if (lines.length > ROWS) {
		lines.length = ROWS;
		const last = lines[ROWS - 1].slice(0, COLS - 3);
		lines[ROWS - 1] = [...last, ...[56, 56, 56]]; // "..."
	}
	const blank = () => new Array<number>(COLS).fill(0);
	const top = Math.floor((ROWS - lines.length) / 2);
	const board = Array.from({ length: ROWS }, blank);
	lines.forEach((l, i) => {
		const left = Math.floor((COLS - l.length) / 2);
		board[top + i].splice(left, l.length, ...l);
	});
	return board;
}

function splitWords(codes: number[]): number[][] {
	const words: number[][] = [];
	let word: number[] = [];
	for (const code of codes) {
		if (code === 0) {
			if (word.length) words.push(word);
			word = [];
		} else word.push(code);
	}
	if (word.length) words.push(word);
	return words;
}

/** The board's text back from codes (for tests and the facilitator's preview). */
export function boardText(board: number[][]): string[] {
	return board.map((row) => row.map((code) => PRINTABLE[code] ?? ' ').join(''));
}

export class VestaboardError extends Error {
	constructor(
		message: string,
		readonly status?: number
	) {
		super(message);
		this.name = 'VestaboardError';
	}
}

/** Writes a layout to one board. Messages PANIC writes itself; the key never appears in them. */
export async function writeBoard(
	board: number[][],
	key: string,
	options: { baseUrl?: string; signal?: AbortSignal; fetch?: typeof fetch } = {}
): Promise<void> {
	let response: Response;
	try {
		response = await (options.fetch ?? fetch)(options.baseUrl || VESTABOARD_DEFAULT_BASE_URL, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-vestaboard-read-write-key': key },
			body: JSON.stringify(board),
			signal: options.signal ?? AbortSignal.timeout(10_000)
		});
	} catch {
		throw new VestaboardError('The Vestaboard could not be reached.');
	}
	await response.body?.cancel().catch(() => {});
	if (response.status === 401 || response.status === 403) throw new VestaboardError('The Vestaboard refused its read-write key.', response.status);
	if (response.status === 429) throw new VestaboardError('The Vestaboard is rate-limiting messages; the next card will be tried later.', 429);
	if (!response.ok) throw new VestaboardError(`The Vestaboard answered ${response.status}.`, response.status);
}
