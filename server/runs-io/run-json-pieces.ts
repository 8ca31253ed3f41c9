import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError, badRequest } from '../errors';

/**
 * run.json cut into pieces before any of it is parsed: the top level with an empty
 * `"invocations": []`, and where each invocation lies. JSON.parse of the largest run.json an
 * import takes (64 MB) would hold the event loop for a second or more, and JSON can be made
 * to balloon when parsed (64 MB of `[],` is 640 MB of heap); parsed a piece at a time, with
 * the event loop let through in between, no piece takes long and none is larger than what a
 * real export holds. (A worker thread's heap cap is no wall against the balloon: V8 can abort
 * the whole process when a worker runs out; a child process per import costs a fork of the
 * server, a stall of its own.)
 *
 * This only finds the structure: strings (with their escapes), nesting, and the elements of
 * the top level's `"invocations"` array. Every piece then goes through JSON.parse, which
 * judges the syntax; the bytes between the elements are commas and whitespace or part of a
 * piece, so nothing goes unparsed.
 */
export interface RunJsonPieces {
	/**
	 * The document with the invocations list emptied (`"invocations": []`); the whole document
	 * when its top level has no plain `"invocations": [...]`.
	 */
	head: Uint8Array;
	/** Where each invocation's JSON lies, in order (`[start, end)`); null when `head` is the whole document. */
	invocations: Array<[start: number, end: number]> | null;
}

export interface PieceBounds {
	/** Largest head, in bytes and in values (objects, arrays, members and elements). */
	headBytes: number;
	headValues: number;
	/** Largest single invocation, likewise. */
	invocationBytes: number;
	invocationValues: number;
	maxInvocations: number;
}

/**
 * What a real export stays within. The top level holds the run's input (up to 10,000
 * characters of text, or an asset), settings and graph (up to 500 nodes with parameters,
 * 2,000 edges, 500 notes); an invocation holds its input and output (up to a million
 * characters of text each) and a dozen fields.
 */
export const PIECE_BOUNDS: Omit<PieceBounds, 'maxInvocations'> = {
	headBytes: 8 * 1024 * 1024,
	headValues: 200_000,
	invocationBytes: 8 * 1024 * 1024,
	invocationValues: 2_000
};

/** Bytes scanned per turn of the event loop: a few milliseconds. */
const SLICE = 256 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const KEY = Buffer.from('invocations');
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

export async function splitRunJson(bytes: Uint8Array, bounds: PieceBounds): Promise<RunJsonPieces> {
	const length = bytes.byteLength;
	let depth = 0;
	/** The top level's keys: whether one is due, the last one's bytes, whether its value is due. */
	let expectKey = false;
	let keyFrom = 0;
	let keyTo = 0;
	let valueNext = false;
	/** The invocations list: its `[`, one past its `]`, its elements so far. */
	let listStart = -1;
	let listEnd = -1;
	let inList = false;
	const spans: Array<[number, number]> = [];
	let elementStart = -1;
	let elementValues = 0;
	let headValues = 0;

	const isInvocationsKey = () => keyTo - keyFrom === KEY.byteLength && KEY.equals(bytes.subarray(keyFrom, keyTo));
	const endElement = (at: number) => {
		if (elementStart < 0) throw badRequest('run.json is not valid JSON (an empty element in "invocations").');
		let end = at;
		while (isSpace(bytes[end - 1])) end--;
		if (end - elementStart > bounds.invocationBytes) throw tooLargeInvocation(spans.length);
		if (spans.length >= bounds.maxInvocations) {
			throw new AppError(413, `The run has more than ${bounds.maxInvocations} invocations; an import takes at most ${bounds.maxInvocations}.`);
		}
		spans.push([elementStart, end]);
		elementStart = -1;
		elementValues = 0;
	};

	let at = 0;
	while (at < length) {
		const stop = Math.min(length, at + SLICE);
		while (at < stop) {
			const b = bytes[at];
			if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) {
				at++;
				continue;
			}
			if (inList && depth === 2) {
				// Between the list's elements, or at the start of one.
				if (b === COMMA) {
					endElement(at++);
					continue;
				}
				if (b === CLOSE_ARRAY) {
					if (elementStart >= 0 || spans.length > 0) endElement(at);
					inList = false;
					listEnd = ++at;
					depth = 1;
					continue;
				}
				if (elementStart < 0) elementStart = at;
			} else if (depth === 1) {
				if (valueNext) {
					valueNext = false;
					if (b === OPEN_ARRAY && isInvocationsKey()) {
						if (listStart >= 0) throw badRequest('run.json has "invocations" twice.');
						listStart = at++;
						inList = true;
						depth = 2;
						continue;
					}
				} else if (b === COLON) {
					valueNext = true;
					at++;
					continue;
				} else if (b === COMMA) {
					expectKey = true;
				}
			}
			if (b === QUOTE) {
				// Strings are skipped whole (their bytes are most of a run.json): memchr to each quote.
				const close = closingQuote(bytes, at + 1);
				if (close < 0) {
					at = length;
					break;
				}
				if (depth === 1 && expectKey) {
					expectKey = false;
					keyFrom = at + 1;
					keyTo = close;
				}
				at = close + 1;
				continue;
			}
			if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
				depth++;
				if (depth === 1) expectKey = b === OPEN_OBJECT;
			} else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
				depth--;
			}
			if (b === OPEN_OBJECT || b === OPEN_ARRAY || b === COMMA) {
				if (inList) {
					if (++elementValues > bounds.invocationValues) throw tooLargeInvocation(spans.length);
				} else if (++headValues > bounds.headValues) {
					throw tooLargeHead();
				}
			}
			at++;
		}
		if (at < length) await nextTurn();
	}

	if (listEnd < 0) {
		if (length > bounds.headBytes) throw badRequest('run.json ends early, or has no "invocations" list: it is not a complete PANIC run export.');
		return { head: bytes, invocations: null };
	}
	const head = Buffer.concat([bytes.subarray(0, listStart), Buffer.from('[]'), bytes.subarray(listEnd)]);
	if (head.byteLength > bounds.headBytes) throw tooLargeHead();
	return { head, invocations: spans };
}

/** Where the string whose contents start at `from` ends: the next quote not escaped by a backslash; -1 if none. */
function closingQuote(bytes: Uint8Array, from: number): number {
	for (let search = from; ; ) {
		const quote = bytes.indexOf(QUOTE, search);
		if (quote < 0) return -1;
		let backslashes = 0;
		while (quote - backslashes - 1 >= from && bytes[quote - backslashes - 1] === BACKSLASH) backslashes++;
		if (backslashes % 2 === 0) return quote;
		search = quote + 1;
	}
}

const tooLargeHead = () => new AppError(413, "run.json's run (its settings, graph and input) is larger than a run export's.");
const tooLargeInvocation = (index: number) => new AppError(413, `Invocation ${index} of run.json is larger than any a run records.`);
