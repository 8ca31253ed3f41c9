import { formatUsd } from '$lib/hosted';

/** How experiments read in the UI. Pure and browser-safe. */

export interface Estimate {
	invocations: number;
	models: Array<{ modelId: string; name: string; platform: string; usdPerCall: number | null; pricing: string | null }>;
	lowUsd: number | null;
	highUsd: number | null;
	free: boolean;
}

/** "free (built-in models)", "about $0.60 – $2.40", "unknown: FLUX … is billed by time". */
export function estimateText(e: Estimate): string {
	if (e.free) return 'Free: only built-in models.';
	const unknown = e.models.filter((m) => m.usdPerCall === null);
	if (unknown.length || e.lowUsd === null || e.highUsd === null) {
		return `Cost unknown: ${unknown.map((m) => `${m.name} is ${m.pricing ? `billed ${m.pricing.replace(/^billed /, '')}` : 'not priced per call'}`).join('; ')}.`;
	}
	const range = e.lowUsd === e.highUsd ? formatUsd(e.highUsd) : `${formatUsd(e.lowUsd)} – ${formatUsd(e.highUsd)}`;
	return `About ${range} of the owner's provider credit (${e.invocations.toLocaleString('en')} model calls at most).`;
}

export const statusLabel: Record<string, string> = {
	queued: 'queued',
	running: 'running',
	done: 'done',
	cancelled: 'cancelled',
	failed: 'failed'
};

/** Whole percent, never 100 before it is complete. */
export function percent(done: number, total: number): number {
	if (total <= 0) return 0;
	const p = Math.floor((done / total) * 100);
	return done >= total ? 100 : Math.min(p, 99);
}
