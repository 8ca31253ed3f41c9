import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Atlas } from '../shared/atlas';

/** Timestamps come back as Date from both pg and PGlite. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
	id: string;
	email: string;
	password_hash: string;
	is_admin: Generated<boolean>;
	created_at: Timestamp;
	/** What others see of this account; null shows the default from server/auth/display-name.ts. */
	display_name: ColumnType<string | null, string | null | undefined, string | null>;
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

export type Visibility = 'private' | 'unlisted' | 'public';
export type MemberRole = 'editor' | 'viewer';

export interface NetworksTable {
	id: string;
	owner_id: string;
	name: string;
	visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
	/** Run and performance settings (pacing, lockout, budgets…), validated by the domain. */
	settings: ColumnType<Record<string, unknown>, string | undefined, string>;
	/** Audience settings (join-code rotation, queue mode, blocklist), validated by the domain. */
	audience: ColumnType<Record<string, unknown>, string | undefined, string>;
	/** While true only the owner edits the graph (a performance is on). */
	locked: ColumnType<boolean, boolean | undefined, boolean>;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface NetworkMembersTable {
	network_id: string;
	user_id: string;
	role: MemberRole;
	created_at: Timestamp;
}

export interface NetworkInvitesTable {
	/** SHA-256 (hex) of the token in the invite link. */
	id: string;
	network_id: string;
	role: MemberRole;
	created_by: string;
	expires_at: Timestamp;
	revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	uses: Generated<number>;
	created_at: Timestamp;
}

export interface SyncUpdatesTable {
	room: string;
	/** Postgres returns bigint as a string; order by it, never do arithmetic on it. */
	seq: ColumnType<string, never, never>;
	data: Uint8Array;
	created_at: Timestamp;
}

export type RunStatus = 'running' | 'stopped' | 'completed' | 'failed';
export type StopCause = 'stopped' | 'replaced' | 'budget' | 'fixed_point' | 'dead_end' | 'error';
export type InvocationState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'dropped';

/** A JSON column: objects come back parsed; written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** An input or output as stored: text inline, binaries as a content-addressed asset reference. */
export type StoredPayload =
	| { kind: 'text'; text: string }
	| { kind: 'image' | 'audio'; asset: { sha256: string; mime: string; ext: string } };

export interface RunsTable {
	id: string;
	network_id: string;
	started_by: string | null;
	input: Json<StoredPayload>;
	status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
	stop_cause: ColumnType<StopCause | null, StopCause | null | undefined, StopCause | null>;
	/** The run settings in force (resolved defaults included), snapshot at the start. */
	settings: Json<Record<string, unknown>>;
	/** The graph as it was at the start; a resumed run follows the same wiring. */
	graph: Json<Record<string, unknown>>;
	next_seq: ColumnType<number, number | undefined, number>;
	started_at: Timestamp;
	ended_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	/** Why the run ended with an error, for people. */
	error: ColumnType<string | null, string | null | undefined, string | null>;
	/** Set while a facilitator has paused the run. */
	paused_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	/** Set on runs imported from an export (they never resume). */
	imported_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	/** Fencing token: bumped by each process that takes the run over; its writes match it (bigint: text from pg). */
	lease: ColumnType<string | number, number | undefined, number>;
	/** The process holding the run, and since when (diagnosis only). */
	lease_holder: ColumnType<string | null, string | null | undefined, string | null>;
	leased_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
	/** Completed invocations, bumped with each completion (reads never count the invocations). */
	completed_steps: ColumnType<number, number | undefined, number>;
	/** Sum of the invocations' cost estimates, bumped with each completion (numeric: text from both drivers). */
	spend_usd: ColumnType<string | number, number | undefined, number>;
	/** 0: the network's own run; 1..: an experiment's extra runs going at once (one running run per network and lane). */
	lane: ColumnType<number, number | undefined, number>;
}

export interface InvocationsTable {
	id: string;
	run_id: string;
	seq: number;
	node_id: string;
	model_id: string;
	/** The invocation whose output this one takes; null for the run's first. */
	parent_seq: number | null;
	state: InvocationState;
	input: Json<StoredPayload>;
	output: ColumnType<StoredPayload | null, string | null | undefined, string | null>;
	error: ColumnType<string | null, string | null | undefined, string | null>;
	attempts: ColumnType<number, number | undefined, number>;
	provider_request_id: ColumnType<string | null, string | null | undefined, string | null>;
	/** numeric: comes back as a string from both drivers. */
	cost_estimate: ColumnType<string | null, number | null | undefined, number | null>;
	/** What the provider reported: predict time, tokens, images, audio seconds. */
	metrics: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
	/** Content hash after normalising (decoded pixels for images): identical pictures hash alike. */
	exact_hash: ColumnType<string | null, string | null | undefined, string | null>;
	queued_at: Timestamp;
	started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
	ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface Database {
	users: UsersTable;
	sessions: SessionsTable;
	provider_keys: ProviderKeysTable;
	settings: SettingsTable;
	networks: NetworksTable;
	network_members: NetworkMembersTable;
	network_invites: NetworkInvitesTable;
	sync_updates: SyncUpdatesTable;
	runs: RunsTable;
	invocations: InvocationsTable;
	custom_models: CustomModelsTable;
	model_availability: ModelAvailabilityTable;
	join_codes: JoinCodesTable;
	audience_sessions: AudienceSessionsTable;
	prompts: PromptsTable;
	installations: InstallationsTable;
	output_fingerprints: OutputFingerprintsTable;
	assets: AssetsTable;
	network_versions: NetworkVersionsTable;
	experiments: ExperimentsTable;
	experiment_runs: ExperimentRunsTable;
	atlas_cache: AtlasCacheTable;
}

/** Content-addressed binaries in cluster mode (server/assets/pg-store.ts); the filesystem holds them otherwise. */
export interface AssetsTable {
	sha256: string;
	ext: string;
	mime: string;
	size: number;
	data: Uint8Array;
	created_at: Timestamp;
}

/** Computed atlases by what they are of (migration 0016; server/atlas/store.ts owns it). */
export interface AtlasCacheTable {
	key: string;
	seq: Generated<string>;
	network_id: string;
	atlas: Json<Atlas>;
	created_at: Timestamp;
}

export interface OutputFingerprintsTable {
	invocation_id: string;
	embedder: string;
	vector: Json<number[]>;
	created_at: Timestamp;
}

export interface JoinCodesTable {
	code: string;
	network_id: string;
	created_by: string | null;
	created_at: Timestamp;
	expires_at: Timestamp;
	revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AudienceSessionsTable {
	id: string;
	token_hash: string;
	network_id: string;
	join_code: string | null;
	/** A short name the facilitator sees ("phone 17"). */
	label: string;
	created_at: Timestamp;
	last_seen_at: Timestamp;
	expires_at: Timestamp;
	revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type PromptStatus = 'queued' | 'approved' | 'rejected' | 'started' | 'withdrawn' | 'dropped';

export interface PromptsTable {
	id: string;
	network_id: string;
	audience_session_id: string | null;
	user_id: string | null;
	text: string;
	status: PromptStatus;
	reason: ColumnType<string | null, string | null | undefined, string | null>;
	run_id: ColumnType<string | null, string | null | undefined, string | null>;
	created_at: Timestamp;
	decided_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface InstallationsTable {
	id: string;
	network_id: string;
	name: string;
	screens: Json<unknown[]>;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface CustomModelsTable {
	user_id: string;
	model_id: string;
	info: Json<Record<string, unknown>>;
	created_at: Timestamp;
}

/** A provider's answers about the models it serves to one user's key (issue 12). */
export interface ModelAvailabilityTable {
	user_id: string;
	platform: string;
	/** When the provider was last asked (null: never, only steps' `model_gone` marks so far). */
	checked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
	/** "could not check: …" when the last check failed. */
	error: ColumnType<string | null, string | null | undefined, string | null>;
	answers: Json<Record<string, { available: boolean; reason?: string; at: string }>>;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Session = Selectable<SessionsTable>;

export type VersionKind = 'auto' | 'run' | 'named' | 'before_restore' | 'before_import';

/** A saved version of a network's graph (issue 17); server/history/versions.ts owns the table. */
export interface NetworkVersionsTable {
	id: string;
	seq: Generated<number>;
	network_id: string;
	kind: VersionKind;
	name: ColumnType<string | null, string | null | undefined, string | null>;
	created_by: ColumnType<string | null, string | null | undefined, string | null>;
	run_id: ColumnType<string | null, string | null | undefined, string | null>;
	graph: Json<Record<string, unknown>>;
	/** Counts of the diff against the version before (server/shared/graph/diff.ts DiffCounts). */
	changes: Json<Record<string, number>>;
	/** User ids who edited in the burst an automatic version settles (empty for the other kinds). */
	editors: ColumnType<string[], string | undefined, string>;
	created_at: Timestamp;
}

export type ExperimentStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** An experiment started from the browser (issue 16); server/experiments/store.ts owns the table. */
export interface ExperimentsTable {
	id: string;
	network_id: string;
	created_by: string | null;
	prompts: Json<string[]>;
	runs_per_prompt: number;
	steps: number;
	status: ExperimentStatus;
	reason: ColumnType<string | null, string | null | undefined, string | null>;
	runs_total: number;
	runs_done: ColumnType<number, number | undefined, number>;
	steps_done: ColumnType<number, number | undefined, number>;
	holder: ColumnType<string | null, string | null | undefined, string | null>;
	/** Runs going at once, each on its own lane of the network (1–4). */
	concurrency: ColumnType<number, number | undefined, number>;
	created_at: Timestamp;
	finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** One run of an experiment: its place in the plan, its run, and its result row once finished. */
export interface ExperimentRunsTable {
	experiment_id: string;
	seq: number;
	prompt_index: number;
	run: number;
	run_id: string;
	result: ColumnType<unknown | null, string | null | undefined, string | null>;
}
