import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE } from '../shared/sync/close-codes';
import type { PresenceEntry } from './presence-owners';

/**
 * The y-websocket wire format, as the stock client speaks it: every frame is a varuint
 * message type followed by its payload. Decoding is pure and total: garbage comes back as
 * `{ type: 'invalid' }` with a close code, never as an exception, so a room can drop the one
 * connection that sent it and carry on.
 */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

// The close codes are part of the wire format; they live in the shared folder because the
// editor reads them too. Server modules keep importing them from here.
export { CLOSE };

export type ClientMessage =
	| { type: 'sync-step1'; stateVector: Uint8Array }
	| { type: 'sync-step2' | 'sync-update'; update: Uint8Array }
	/** `oversized`: entries left out, undecoded, because their state was over the cap. */
	| { type: 'awareness'; entries: PresenceEntry[]; oversized: number }
	| { type: 'query-awareness' }
	| { type: 'invalid'; code: typeof CLOSE.unsupportedData | typeof CLOSE.invalidPayload; reason: string };

export interface DecodeLimits {
	/**
	 * Presence states longer than this (UTF-8 bytes) are skipped without being decoded or
	 * parsed: a room drops them anyway, and parsing a 900 KB state costs milliseconds.
	 */
	maxPresenceStateBytes?: number;
}

/** Decodes one frame from a client and checks its payload is well-formed. Never throws. */
export function decodeMessage(data: Uint8Array, limits: DecodeLimits = {}): ClientMessage {
	try {
		const decoder = decoding.createDecoder(data);
		const message = decodeBody(decoder, decoding.readVarUint(decoder), limits);
		if (message.type !== 'invalid' && decoding.hasContent(decoder)) {
			return invalid(CLOSE.invalidPayload, 'Trailing bytes after the message.');
		}
		return message;
	} catch (error) {
		// lib0 and Yjs report truncated or malformed input by throwing (RangeError, "Unexpected
		// end of array", bad JSON…); all of it means the same thing here.
		return invalid(CLOSE.invalidPayload, `Malformed message: ${(error as Error)?.message ?? 'undecodable'}`.slice(0, 120));
	}
}

function decodeBody(decoder: decoding.Decoder, type: number, limits: DecodeLimits): ClientMessage {
	switch (type) {
		case MESSAGE_SYNC: {
			const step = decoding.readVarUint(decoder);
			const payload = decoding.readVarUint8Array(decoder);
			if (step === syncProtocol.messageYjsSyncStep1) {
				Y.decodeStateVector(payload);
				return { type: 'sync-step1', stateVector: payload };
			}
			if (step !== syncProtocol.messageYjsSyncStep2 && step !== syncProtocol.messageYjsUpdate) {
				return invalid(CLOSE.unsupportedData, `Unknown sync message ${step}.`);
			}
			// Decoding the whole update (structs, contents and delete set) before it goes near the
			// doc: Y.applyUpdate integrates structs before it reads the delete set, so garbage at
			// the end of an update would otherwise leave half of it applied.
			Y.decodeUpdate(payload);
			return { type: step === syncProtocol.messageYjsUpdate ? 'sync-update' : 'sync-step2', update: payload };
		}
		case MESSAGE_AWARENESS: {
			return { type: 'awareness', ...decodeAwarenessEntries(decoding.readVarUint8Array(decoder), limits.maxPresenceStateBytes ?? Infinity) };
		}
		case MESSAGE_QUERY_AWARENESS:
			return { type: 'query-awareness' };
		default:
			// MESSAGE_AUTH only ever flows from server to client.
			return invalid(CLOSE.unsupportedData, `Unknown message type ${type}.`);
	}
}

const utf8 = new TextDecoder();

/**
 * Reads an awareness update as applyAwarenessUpdate would (which throws part-way through),
 * keeping each state as its JSON text so the room can filter entries without parsing again.
 */
export function decodeAwarenessEntries(update: Uint8Array, maxStateBytes: number): { entries: PresenceEntry[]; oversized: number } {
	const decoder = decoding.createDecoder(update);
	const entries: PresenceEntry[] = [];
	let oversized = 0;
	for (let n = decoding.readVarUint(decoder); n > 0; n--) {
		const clientId = decoding.readVarUint(decoder);
		const clock = decoding.readVarUint(decoder);
		const bytes = decoding.readVarUint8Array(decoder); // a view: nothing copied yet
		if (bytes.length > maxStateBytes) {
			oversized++;
			continue;
		}
		const state = utf8.decode(bytes);
		JSON.parse(state);
		entries.push({ clientId, clock, state });
	}
	if (decoding.hasContent(decoder)) throw new Error('Trailing bytes in awareness update.');
	return { entries, oversized };
}

/** An awareness update (the payload applyAwarenessUpdate takes) holding just these entries. */
export function encodeAwarenessEntries(entries: readonly PresenceEntry[]): Uint8Array {
	return frame((e) => {
		encoding.writeVarUint(e, entries.length);
		for (const { clientId, clock, state } of entries) {
			encoding.writeVarUint(e, clientId);
			encoding.writeVarUint(e, clock);
			encoding.writeVarString(e, state);
		}
	});
}

const invalid = (code: typeof CLOSE.unsupportedData | typeof CLOSE.invalidPayload, reason: string): ClientMessage => ({
	type: 'invalid',
	code,
	reason
});

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	write(encoder);
	return encoding.toUint8Array(encoder);
}

/** "Here is my state vector; send me what I lack." */
export const encodeSyncStep1 = (doc: Y.Doc) =>
	frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeSyncStep1(e, doc);
	});

/** The reply to a step 1: everything in `doc` that `stateVector` has not seen. */
export const encodeSyncStep2 = (doc: Y.Doc, stateVector: Uint8Array) =>
	frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeSyncStep2(e, doc, stateVector);
	});

export const encodeUpdate = (update: Uint8Array) =>
	frame((e) => {
		encoding.writeVarUint(e, MESSAGE_SYNC);
		syncProtocol.writeUpdate(e, update);
	});

export const encodeAwareness = (awareness: awarenessProtocol.Awareness, clients: number[]) =>
	frame((e) => {
		encoding.writeVarUint(e, MESSAGE_AWARENESS);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	});

export const encodeQueryAwareness = () => frame((e) => encoding.writeVarUint(e, MESSAGE_QUERY_AWARENESS));
