import type { ParamSpec } from './types';

/**
 * The pure half of the settings check: what a `ParamSpec` accepts and how to say it. Kept
 * apart from params.ts (which throws PlatformError, and so pulls in the platform registry and
 * the built-in models) so the browser's settings form imports exactly the check the adapters
 * run, and nothing server-only rides along.
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
