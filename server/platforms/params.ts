import { PlatformError } from './platform';
import type { ParamSpec } from './types';

/**
 * A node's settings checked against what its model takes (its `ParamSpec`s). Every adapter
 * resolves params through here, so the settings form, the check and the request agree:
 * keys the model does not take are dropped (a node may outlive a model's options, or have
 * been made for another model), and a known key with a bad value fails the step as
 * `invalid_input`, naming the setting.
 */
export type ParamValue = string | number | boolean;

/** Whether `value` is one `spec` accepts. */
export function acceptsValue(spec: ParamSpec, value: unknown): value is ParamValue {
	switch (spec.kind) {
		case 'text':
			return typeof value === 'string' && value.length <= spec.maxLength;
		case 'number':
			return typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
		case 'choice':
			return typeof value === 'string' && spec.options.includes(value);
		case 'boolean':
			return typeof value === 'boolean';
	}
}

/** What a setting accepts, in words: "a number from 0 to 2", "one of low, medium, high". */
export function describeAccepted(spec: ParamSpec): string {
	switch (spec.kind) {
		case 'text':
			return `text of at most ${spec.maxLength} characters`;
		case 'number':
			return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`;
		case 'choice':
			return `one of ${spec.options.join(', ')}`;
		case 'boolean':
			return 'true or false';
	}
}

/**
 * The specs' defaults, then `defaults` (the catalogue entry's), then the node's params, keeping
 * only keys a spec names. Empty text and null clear a setting back to its default.
 */
export function resolveParams(
	modelName: string,
	specs: readonly ParamSpec[] | undefined,
	defaults: Record<string, unknown>,
	params: Record<string, unknown>
): Record<string, ParamValue> {
	const resolved: Record<string, ParamValue> = {};
	for (const spec of specs ?? []) {
		if (spec.default !== undefined) resolved[spec.key] = spec.default;
		for (const source of [defaults, params]) {
			const value = source[spec.key];
			if (value === undefined || value === null || value === '') continue;
			if (!acceptsValue(spec, value)) {
				throw new PlatformError(`${modelName} cannot use ${JSON.stringify(value)} as its “${spec.label}”: it takes ${describeAccepted(spec)}.`, { kind: 'invalid_input' });
			}
			resolved[spec.key] = value;
		}
	}
	return resolved;
}
