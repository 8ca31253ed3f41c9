import { describe, expect, test } from 'vitest';
import { formatUsd, metricsLine, platformList } from '../../src/lib/hosted';
import { missingKeysReason } from '../../src/lib/feed/start-readiness';
import { runSettingsFormValues, runSettingsFromForm } from '../../src/lib/server/run-settings-form';

describe('hosted-model wording', () => {
	test('money reads like an estimate', () => {
		expect(formatUsd(0.012)).toBe('$0.012');
		expect(formatUsd(1.256)).toBe('$1.26');
		expect(formatUsd(0.0004)).toBe('$0.0004');
		expect(formatUsd(0)).toBe('$0');
	});

	test('metrics become a short line; unknown ones are left out', () => {
		expect(metricsLine({ predictTimeSeconds: 2.08 })).toBe('2.1 s compute');
		expect(metricsLine({ inputTokens: 100, outputTokens: 53 })).toBe('153 tokens');
		expect(metricsLine({ totalTokens: 1, imageCount: 1 })).toBe('1 token · 1 image');
		expect(metricsLine({ safetyFallback: 1, whatever: 3 })).toBe('safety fallback');
		expect(metricsLine(null)).toBe('');
	});

	test('missing keys: the owner adds them, editors ask', () => {
		expect(platformList(['openai', 'replicate', 'huggingface'])).toBe('OpenAI, Replicate and Hugging Face');
		expect(missingKeysReason([], true)).toBeNull();
		expect(missingKeysReason(['openai'], true)).toMatch(/add your OpenAI key/);
		expect(missingKeysReason(['openai'], false)).toMatch(/ask the owner/);
	});
});

describe('run settings form', () => {
	const form = (fields: Record<string, string>) => {
		const data = new FormData();
		for (const [k, v] of Object.entries(fields)) data.set(k, v);
		return data;
	};

	test('a posted form becomes settings: minutes to seconds, blanks to no limit', () => {
		const settings = runSettingsFromForm(
			form({ pacing: 'fixed', pacingSeconds: '0.5', maxConcurrent: '3', maxInvocations: '', maxDurationMinutes: '2', maxSpendUsd: '$1.5', onError: 'continue', lockoutSeconds: '10', stopOnFixedPoint: 'on' })
		);
		expect(settings).toEqual({
			pacing: { fixedMs: 500 },
			maxConcurrent: 3,
			budgets: { maxInvocations: null, maxDurationSeconds: 120, maxSpendUsd: 1.5 },
			onError: 'continue',
			lockoutSeconds: 10,
			stopOnFixedPoint: true
		});
		expect(() => runSettingsFromForm(form({ maxConcurrent: 'many', lockoutSeconds: '1' }))).toThrow(/Calls at once must be a number/);
	});

	test('stored settings read back as form values', () => {
		expect(runSettingsFormValues({})).toMatchObject({ pacing: 'default', maxSpendUsd: null, maxConcurrent: 2 });
		expect(runSettingsFormValues({ pacing: { fixedMs: 1500 }, budgets: { maxDurationSeconds: 90 } })).toMatchObject({ pacing: 'fixed', pacingSeconds: 1.5, maxDurationMinutes: 1.5 });
		expect(runSettingsFormValues({ pacing: { schedule: [], thenMs: 5 } }).pacing).toBe('custom');
	});
});
