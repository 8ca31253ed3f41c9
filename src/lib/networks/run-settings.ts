/** A network's run settings as the settings form shows them (minutes, dollars, seconds). */
export interface RunSettingsFormValues {
	/** `default`: the slow-down schedule; `fixed`: one delay; `custom`: a schedule set through the API. */
	pacing: 'default' | 'fixed' | 'custom';
	pacingSeconds: number;
	maxConcurrent: number;
	maxInvocations: number | null;
	maxDurationMinutes: number | null;
	maxSpendUsd: number | null;
	onError: 'stop' | 'continue';
	lockoutSeconds: number;
	stopOnFixedPoint: boolean;
}
