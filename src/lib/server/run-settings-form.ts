import { badRequest } from '$server/errors';
import { DEFAULT_PACING, resolveRunSettings, type RunSettingsInput } from '$server/engine/settings';
import type { RunSettingsFormValues } from '$lib/networks/run-settings';

/**
 * The run settings form on a network's settings page, both ways: stored settings as the
 * form's plain values (minutes, dollars, seconds), and a posted form as the PATCH body.
 * Bounds are checked afterwards by the same schema the API uses.
 */

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function runSettingsFormValues(stored: unknown): RunSettingsFormValues {
	const s = resolveRunSettings(stored);
	const fixed = 'fixedMs' in s.pacing ? s.pacing.fixedMs : null;
	return {
		pacing: fixed !== null ? 'fixed' : sameJson(s.pacing, DEFAULT_PACING) ? 'default' : 'custom',
		pacingSeconds: fixed !== null ? fixed / 1000 : 1,
		maxConcurrent: s.maxConcurrent,
		maxInvocations: s.budgets.maxInvocations,
		maxDurationMinutes: s.budgets.maxDurationSeconds === null ? null : Math.round((s.budgets.maxDurationSeconds / 60) * 100) / 100,
		maxSpendUsd: s.budgets.maxSpendUsd,
		onError: s.onError,
		lockoutSeconds: s.lockoutSeconds,
		stopOnFixedPoint: s.stopOnFixedPoint
	};
}

function text(data: FormData, name: string): string {
	const value = data.get(name);
	return typeof value === 'string' ? value.trim() : '';
}

/** A number from a form field; blank is null, anything else unreadable says which field. */
function number(data: FormData, name: string, label: string): number | null {
	const raw = text(data, name).replace(/^\$/, '').replace(',', '.');
	if (!raw) return null;
	const n = Number(raw);
	if (!Number.isFinite(n)) throw badRequest(`${label} must be a number.`);
	if (n < 0) throw badRequest(`${label} cannot be negative.`);
	return n;
}

function required(data: FormData, name: string, label: string): number {
	const n = number(data, name, label);
	if (n === null) throw badRequest(`${label} is needed.`);
	return n;
}

function whole(n: number, label: string): number {
	if (!Number.isInteger(n)) throw badRequest(`${label} must be a whole number.`);
	return n;
}

/** The posted form as run settings (not yet bounds-checked: pass it through the API's schema). */
export function runSettingsFromForm(data: FormData): RunSettingsInput {
	const pacingMode = text(data, 'pacing');
	const settings: RunSettingsInput = {
		maxConcurrent: whole(required(data, 'maxConcurrent', 'Calls at once'), 'Calls at once'),
		budgets: {
			maxInvocations: ((n) => (n === null ? null : whole(n, 'Max model calls')))(number(data, 'maxInvocations', 'Max model calls')),
			maxDurationSeconds: ((n) => (n === null ? null : Math.max(1, Math.round(n * 60))))(number(data, 'maxDurationMinutes', 'Max duration')),
			maxSpendUsd: number(data, 'maxSpendUsd', 'Max spend')
		},
		onError: text(data, 'onError') === 'continue' ? 'continue' : 'stop',
		lockoutSeconds: whole(required(data, 'lockoutSeconds', 'Lockout'), 'Lockout'),
		stopOnFixedPoint: data.get('stopOnFixedPoint') === 'on'
	};
	if (pacingMode === 'fixed') {
		settings.pacing = { fixedMs: Math.round(required(data, 'pacingSeconds', 'The delay between steps') * 1000) };
	} else if (pacingMode === 'default') {
		settings.pacing = DEFAULT_PACING;
	}
	// `custom`: a schedule set through the API stays as it is.
	return settings;
}
