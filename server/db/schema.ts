import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Timestamps come back as Date from both pg and PGlite. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
	id: string;
	email: string;
	password_hash: string;
	is_admin: Generated<boolean>;
	created_at: Timestamp;
}

/** Lucia-style sessions: the id is the SHA-256 of the token the browser holds. */
export interface SessionsTable {
	id: string;
	user_id: string;
	expires_at: Timestamp;
	created_at: Timestamp;
}

/** Provider keys, AES-256-GCM encrypted; `last4` is the only part ever shown. */
export interface ProviderKeysTable {
	user_id: string;
	platform: string;
	ciphertext: string;
	last4: string;
	created_at: Timestamp;
	updated_at: Timestamp;
}

/** Site-wide settings as small JSON values (e.g. whether sign-up is open). */
export interface SettingsTable {
	key: string;
	value: ColumnType<unknown, string, string>;
}

export interface Database {
	users: UsersTable;
	sessions: SessionsTable;
	provider_keys: ProviderKeysTable;
	settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Session = Selectable<SessionsTable>;
