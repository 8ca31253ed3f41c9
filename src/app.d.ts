import type { Panic } from '$server/app';
import type { AudienceSession } from '$server/audience/sessions';
import type { PublicUser, SessionInfo } from '$server/auth/sessions';

declare global {
	namespace App {
		interface Error {
			message: string;
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
