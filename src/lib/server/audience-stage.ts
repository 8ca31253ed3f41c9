import type { Panic } from '$server/app';
import { resolveRunSettings } from '$server/engine/settings';

/**
 * What a phone, projector or display needs to know about a network beyond its feed, for
 * people who cannot read the network itself (an audience session, a kiosk): its name and
 * the lockout that keeps prompts from replacing a run too soon.
 */
export async function audienceStage(panic: Panic, networkId: string): Promise<{ name: string; lockoutSeconds: number }> {
	const row = await panic.db.selectFrom('networks').select(['name', 'settings']).where('id', '=', networkId).executeTakeFirst();
	const active = panic.engine.activeRun(networkId);
	return {
		name: row?.name ?? '',
		lockoutSeconds: active?.settings.lockoutSeconds ?? resolveRunSettings(row?.settings).lockoutSeconds
	};
}
