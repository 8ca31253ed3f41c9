import { GRAPH_LIMITS } from '$shared/graph/limits';
import { acceptsValue, describeAccepted, type ParamValue } from '$shared/platforms/param-checks';
import type { ParamSpec } from '$shared/platforms/types';

/**
 * The node settings form's logic, framework-free: reading what a person typed into a value
 * (with the same acceptsValue the adapters run, so the form never writes a value that would
 * fail the step), and the node's params after a change.
 */

/** What a field's input became: a value to write, `undefined` (back to the default), or why not. */
export type FieldReading = { ok: true; value: ParamValue | undefined } | { ok: false; error: string };

/**
 * The value a setting takes when the node sets none: the catalogue entry's default when the
 * spec accepts it, else the spec's own. The same order resolveParams applies.
 */
export function defaultOf(spec: ParamSpec, defaults: Record<string, unknown>): ParamValue | undefined {
	const entry = defaults[spec.key];
	return entry !== undefined && acceptsValue(spec, entry) ? entry : spec.default;
}

/** A value as a person reads it: on/off for switches, text and numbers as they are. */
export function showValue(value: unknown): string {
	if (typeof value === 'boolean') return value ? 'on' : 'off';
	if (typeof value === 'string' || typeof value === 'number') return String(value);
	const json = JSON.stringify(value) ?? String(value);
	return json.length > 80 ? `${json.slice(0, 79)}…` : json;
}

/** "Takes a whole number from 1 to 50." */
export const acceptedSentence = (spec: ParamSpec) => `Takes ${describeAccepted(spec)}.`;

/**
 * Reads a field's raw input. An empty text, number or choice means "use the default" (as
 * resolveParams treats it); `badInput` is the browser saying a number field holds something
 * that is not a number, which it reports as an empty value.
 */
export function readField(spec: ParamSpec, raw: string | boolean, badInput = false): FieldReading {
	if (spec.kind === 'boolean') return typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, error: acceptedSentence(spec) };
	const text = String(raw);
	if (spec.kind === 'number') {
		if (badInput) return { ok: false, error: `Not a number. ${acceptedSentence(spec)}` };
		if (text.trim() === '') return { ok: true, value: undefined };
		const value = Number(text);
		return acceptsValue(spec, value) ? { ok: true, value } : { ok: false, error: acceptedSentence(spec) };
	}
	if (text === '') return { ok: true, value: undefined };
	return acceptsValue(spec, text) ? { ok: true, value: text } : { ok: false, error: acceptedSentence(spec) };
}

/** Why a value already in the doc (written through the API, or before the model changed) would fail a run. */
export function storedProblem(spec: ParamSpec, value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	return acceptsValue(spec, value) ? null : `${showValue(value)} would fail a run. ${acceptedSentence(spec)}`;
}

/** The node's params with `key` set, or removed when `value` is undefined; undefined when none are left. */
export function paramsWith(params: Record<string, unknown> | undefined, key: string, value: ParamValue | undefined): Record<string, unknown> | undefined {
	const next = { ...params };
	if (value === undefined) delete next[key];
	else next[key] = value;
	return Object.keys(next).length ? next : undefined;
}

/**
 * Why the server would refuse these params (GRAPH_LIMITS.maxParamsBytes as JSON), or null.
 * The server closes the socket of an editor whose update breaks the limit, so the form asks first.
 */
export function paramsSizeProblem(params: Record<string, unknown> | undefined): string | null {
	if (!params) return null;
	const bytes = new TextEncoder().encode(JSON.stringify(params)).length;
	return bytes > GRAPH_LIMITS.maxParamsBytes ? `A node's settings may take ${GRAPH_LIMITS.maxParamsBytes} bytes; these would take ${bytes}. Shorten a text.` : null;
}

/** Params the model does not take (kept in the doc, dropped before every call), in key order. */
export function unusedParams(params: Record<string, unknown> | undefined, specs: readonly ParamSpec[]): Array<[string, unknown]> {
	const known = new Set(specs.map((s) => s.key));
	return Object.entries(params ?? {})
		.filter(([key]) => !known.has(key))
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
