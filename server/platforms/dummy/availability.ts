import { inProcessPlatform, type AvailabilityAnswer, type Platform } from '../platform';
import { DUMMY_MODELS } from './index';

/**
 * Test-only: a dummy platform that answers availability checks as PANIC_DUMMY_UNAVAILABLE says
 * (`dummy/upper:why it is gone;dummy/echo`), so the server-level availability paths (cache,
 * API, preflight, palette) can be driven without a provider. Dummy models only exist with
 * PANIC_DUMMY_MODELS=1 and are never shown to audiences.
 */
export function parseDummyUnavailable(spec: string | undefined): Map<string, string> {
	const out = new Map<string, string>();
	for (const part of (spec ?? '').split(';')) {
		const [id, ...reason] = part.split(':');
		if (id?.trim()) out.set(id.trim(), reason.join(':').trim() || 'the dummy platform was told it is gone');
	}
	return out;
}

/** The dummy platform plus a `checkAvailability` that refuses the listed models. */
export function dummyPlatformWithAvailability(unavailable: ReadonlyMap<string, string>): Platform {
	return {
		...inProcessPlatform('dummy', DUMMY_MODELS),
		async checkAvailability(entries, { signal }) {
			signal.throwIfAborted();
			const answers = new Map<string, AvailabilityAnswer>();
			for (const entry of entries) {
				const reason = unavailable.get(entry.id);
				answers.set(entry.id, reason ? { available: false, reason } : { available: true });
			}
			return answers;
		}
	};
}
