import type { Panic } from '$server/app';
import { resolveRunSettings } from '$server/engine/settings';

/**
 * What a phone, projector or display needs to know about a network beyond its feed, for
 * people who cannot read the network itself (an audience session, a kiosk): its name and
 * the lockout that keeps prompts from replacing a run too soon.
 */
export async function audienceStage(panic: Panic, networkId: string): Promise<{ name: string; lockoutSeconds: number }> {
	const network = await panic.networks.find(networkId);
	const active = panic.engine.activeRun(networkId);
	return {
		name: network?.name ?? '',
		lockoutSeconds: active?.settings.lockoutSeconds ?? resolveRunSettings(network?.settings).lockoutSeconds
	};
}
