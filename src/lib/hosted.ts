import type { PlatformId } from '$shared/platforms/types';

/**
 * How hosted-model facts read in the UI: platform names, money and call metrics. Pure, so
 * the models page, the run panel and the run page say things the same way.
 */
export const PLATFORM_NAMES: Record<PlatformId, string> = {
	replicate: 'Replicate',
	openai: 'OpenAI',
	huggingface: 'Hugging Face',
	local: 'local',
	dummy: 'dummy'
};

/** Platforms that spend a provider key (local and dummy models need none). */
export const needsKey = (platform: string): boolean => platform === 'replicate' || platform === 'openai' || platform === 'huggingface';

export const platformName = (platform: string): string => PLATFORM_NAMES[platform as PlatformId] ?? platform;

/** "OpenAI", "OpenAI and Replicate", "OpenAI, Replicate and Hugging Face". */
export function platformList(platforms: readonly string[]): string {
	const names = platforms.map(platformName);
	return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Dollars as people read an estimate: `$0.012`, `$1.25`, `$0.0004`. */
export function formatUsd(usd: number): string {
	if (!Number.isFinite(usd) || usd <= 0) return '$0';
	if (usd >= 1) return `$${usd.toFixed(2)}`;
	if (usd >= 0.001) return `$${usd.toFixed(3)}`;
	return `$${Number(usd.toPrecision(1))}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * An invocation's provider metrics as a short line: "2.1 s compute", "153 tokens",
 * "1 image", "safety fallback". Unknown metrics are left out.
 */
export function metricsLine(metrics: Record<string, unknown> | null | undefined): string {
	if (!metrics) return '';
	const n = (key: string) => (typeof metrics[key] === 'number' && Number.isFinite(metrics[key]) ? (metrics[key] as number) : null);
	const parts: string[] = [];
	const predict = n('predictTimeSeconds');
	if (predict !== null) parts.push(`${predict < 10 ? predict.toFixed(1) : Math.round(predict)} s compute`);
	const total = n('totalTokens') ?? (n('inputTokens') !== null || n('outputTokens') !== null ? (n('inputTokens') ?? 0) + (n('outputTokens') ?? 0) : null);
	if (total !== null) parts.push(plural(total, 'token'));
	const images = n('imageCount');
	if (images !== null) parts.push(plural(images, 'image'));
	const audio = n('audioSeconds');
	if (audio !== null) parts.push(`${audio < 10 ? audio.toFixed(1) : Math.round(audio)} s audio`);
	const chars = n('characters');
	if (chars !== null) parts.push(plural(chars, 'character'));
	if (n('safetyFallback')) parts.push('safety fallback');
	return parts.join(' · ');
}
