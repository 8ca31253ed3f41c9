import { PLATFORM_NAMES } from '../platforms/key-check';
import { HOSTED_PLATFORMS, type HostedPlatformId, type ModelInfo } from '../shared/platforms/types';

/**
 * What a run needs before it starts, checked up front so people hear about a missing key
 * when they press start, not several steps into a run.
 */

// Shared with the canvas (which says what a start would refuse), so it lives with the graph.
export { reachableNodeIds } from '../shared/graph/reach';

/** The hosted platforms whose keys these models spend, in a stable order. */
export function hostedPlatformsOf(models: readonly ModelInfo[]): HostedPlatformId[] {
	const used = new Set(models.map((m) => m.platform));
	return HOSTED_PLATFORMS.filter((p) => used.has(p));
}

/** "Replicate", "Replicate and OpenAI", "Replicate, OpenAI and Hugging Face". */
export function platformList(platforms: readonly HostedPlatformId[]): string {
	const names = platforms.map((p) => PLATFORM_NAMES[p]);
	return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What to tell people when the owner lacks keys the run needs. */
export function missingKeysMessage(missing: readonly HostedPlatformId[]): string {
	const list = platformList(missing);
	const plural = missing.length > 1 ? 'keys' : 'key';
	return `This network runs ${list} models, but its owner has no ${list} ${plural} saved. The owner can add ${missing.length > 1 ? 'them' : 'it'} under Account → Keys.`;
}
