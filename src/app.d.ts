import type { Panic } from '$server/app';
import type { AudienceSession } from '$server/audience/sessions';
import type { PublicUser, SessionInfo } from '$server/auth/sessions';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** Why, for pages that answer one refusal differently from another (e.g. 'too-many-tries' at /j/<code>). */
			reason?: string;
		}
		interface Locals {
			panic: Panic;
			user: PublicUser | null;
			session: SessionInfo | null;
			/** The audience session from the `panic_audience` cookie (removed ones included, marked `revoked`). */
			audience: AudienceSession | null;
		}
	}
}

export {};
