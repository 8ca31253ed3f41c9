/*
 * A node's settings checked against what its model takes (its `ParamSpec`s). Every adapter
 * resolves params through here, so the settings form, the check and the request agree:
 * keys the model does not take are dropped (a node may outlive a model's options, or have
 * been made for another model), and a known key with a bad value fails the step as
 * `invalid_input`, naming the setting. The value checks themselves live in param-checks.ts,
 * which the browser's settings form imports too.
 */
import { acceptsValue, describeAccepted, type ParamValue } from '../shared/platforms/param-checks';
import { PlatformError } from './platform';
import type { ParamSpec } from '../shared/platforms/types';

export { acceptsValue, describeAccepted, type ParamValue };

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
