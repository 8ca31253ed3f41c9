import type { Panic } from '$server/app';
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
		}
	}
}

export {};
