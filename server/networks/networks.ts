import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connect';
import type { MemberRole, Visibility } from '../db/schema';
import { audienceSettingsSchema, resolveAudienceSettings, type AudienceSettings } from '../audience/settings';
import { displayName } from '../auth/display-name';
import { runSettingsSchema } from '../engine/settings';
import { forbidden, notFound } from '../errors';
import { randomId } from '../ids';
import { TypedEmitter } from '../typed-emitter';
import { canEdit, canManage, canSetLock, resolveRole, seesThroughVisibility, type NetworkRole, type Viewer } from './access';
import type { NetworkEvents } from './events';

export const networkNameSchema = z.string().trim().min(1, { error: 'Give the network a name.' }).max(120);
export const visibilitySchema = z.enum(['private', 'unlisted', 'public']);

export const createNetworkSchema = z.object({ name: networkNameSchema });
export const updateNetworkSchema = z
	.object({
		name: networkNameSchema.optional(),
		visibility: visibilitySchema.optional(),
		settings: runSettingsSchema.optional(),
		/** The canvas lock for a performance: editors may lock, only the owner unlocks. */
		locked: z.boolean().optional(),
		/** Join codes, the prompt queue and its limits (owner only); merged key by key. */
		audience: audienceSettingsSchema.optional()
	})
	.strict();

export interface NetworkSummary {
	id: string;
	name: string;
	visibility: Visibility;
	ownerId: string;
	/** The owner's display name: what anyone who sees the network may know of them. */
	ownerName: string;
	role: NetworkRole;
	/** Run settings as stored (unset fields take the engine's defaults). */
	settings: Record<string, unknown>;
	/** Locked for a performance: only the owner edits the graph. */
	locked: boolean;
	/** Audience settings with defaults filled in; the blocklist only for the owner and editors. */
	audience: Omit<AudienceSettings, 'blocklist'> & { blocklist?: string[] };
	createdAt: Date;
	updatedAt: Date;
}

/** A network a person may see, with their role in it: what every route starts from. */
/** A member as the network's people see them; `email` only for the owner, who manages them. */
export interface MemberView {
	userId: string;
	name: string;
	email?: string;
	role: MemberRole;
	joinedAt: Date;
}

/** A network's stored fields, unfiltered: see Networks.find. */
export interface StoredNetwork {
	id: string;
	name: string;
	ownerId: string;
	visibility: Visibility;
	/** Run settings as stored (unset fields take the engine's defaults). */
	settings: Record<string, unknown>;
	/** Audience settings as stored (resolveAudienceSettings fills the defaults). */
	audience: Record<string, unknown>;
	locked: boolean;
}

export interface NetworkAccess {
	network: NetworkSummary;
	role: NetworkRole;
	/** Only because it is public or unlisted: going private takes it away. */
	throughVisibility: boolean;
}

/**
 * Networks and who may do what with them. Ids are 120-bit random, so a URL reveals nothing
 * and cannot be guessed; a private network someone may not see is reported as not found.
 */
export class Networks {
	/** Changes to networks and their members, for whatever rests on them (see NetworkEvents). */
	readonly events = new TypedEmitter<NetworkEvents>();

	constructor(private db: Db) {}

	/** A new private network; `settings` are run settings already validated (an import's). */
	async create(owner: Viewer, name: string, options: { settings?: Record<string, unknown> } = {}): Promise<NetworkSummary> {
		const id = randomId();
		const settings = options.settings ? { settings: JSON.stringify(options.settings) } : {};
		await this.db.insertInto('networks').values({ id, owner_id: owner.id, name, ...settings }).execute();
		return (await this.access(id, owner)).network;
	}

	/**
	 * The network as stored, or null, with no access check: for server-side callers that
	 * decided access already or act for no one in particular (an audience session, a kiosk
	 * screen, the analysis of a run someone may read).
	 */
	async find(id: string): Promise<StoredNetwork | null> {
		const row = await this.db
			.selectFrom('networks')
			.select(['id', 'name', 'owner_id', 'visibility', 'settings', 'audience', 'locked'])
			.where('id', '=', id)
			.executeTakeFirst();
		if (!row) return null;
		const { owner_id, ...rest } = row;
		return { ...rest, ownerId: owner_id };
	}

	/**
	 * Runs `work` in a transaction that holds the network's row lock, so two processes doing
	 * the same check-then-write for one network go one after the other (minting join codes).
	 * Throws if the network does not exist.
	 */
	async withRowLock<T>(id: string, work: (tx: Db) => Promise<T>): Promise<T> {
		return this.db.transaction().execute(async (tx) => {
			await tx.selectFrom('networks').select('id').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
			return work(tx);
		});
	}

	/** Networks the person owns or was invited to, then public ones, newest first. */
	async list(viewer: Viewer): Promise<NetworkSummary[]> {
		const rows = await this.baseQuery(viewer.id)
			.where((eb) =>
				eb.or([eb('networks.owner_id', '=', viewer.id), eb('m.role', 'is not', null), eb('networks.visibility', '=', 'public')])
			)
			.orderBy('networks.updated_at', 'desc')
			.orderBy('networks.id')
			.limit(500)
			.execute();
		return rows.map((row) => this.summary(row, viewer)!).filter(Boolean);
	}

	/** The network and the person's role; 404 when it does not exist or they may not see it. */
	async access(id: string, viewer: Viewer | null): Promise<NetworkAccess> {
		const row = await this.baseQuery(viewer?.id ?? '')
			.where('networks.id', '=', id)
			.executeTakeFirst();
		const network = row && this.summary(row, viewer);
		if (!network) throw notFound('No such network, or it is private. Ask its owner for an invite link.');
		return { network, role: network.role, throughVisibility: seesThroughVisibility(row!, viewer, row!.member_role) };
	}

	async requireEditor(id: string, viewer: Viewer | null): Promise<NetworkAccess> {
		const found = await this.access(id, viewer);
		if (!canEdit(found.role)) throw forbidden('Only the owner and invited editors can change this network.');
		return found;
	}

	async requireOwner(id: string, viewer: Viewer | null): Promise<NetworkAccess> {
		const found = await this.access(id, viewer);
		if (!canManage(found.role)) throw forbidden("Only the network's owner can do that.");
		return found;
	}

	async update(id: string, viewer: Viewer, changes: z.infer<typeof updateNetworkSchema>): Promise<NetworkSummary> {
		const { network, role } = await this.access(id, viewer);
		if (changes.visibility !== undefined && !canManage(role)) throw forbidden("Only the owner can change who sees the network.");
		if (changes.locked !== undefined && !canSetLock(role, network.locked, changes.locked)) {
			throw forbidden(canEdit(role) ? 'Only the owner can unlock the canvas.' : 'Only the owner and invited editors can lock the canvas.');
		}
		if (changes.audience !== undefined && !canManage(role)) throw forbidden("Only the owner can change the audience settings.");
		if (!canEdit(role)) throw forbidden('Only the owner and invited editors can rename this network.');
		const { settings, audience, ...fields } = changes;
		await this.db
			.updateTable('networks')
			// Settings merge key by key, so a PATCH of pacing leaves the budgets alone.
			.set({
				...fields,
				...(settings ? { settings: sql`settings || ${JSON.stringify(settings)}::jsonb` } : {}),
				...(audience ? { audience: sql`audience || ${JSON.stringify(audience)}::jsonb` } : {}),
				updated_at: new Date()
			})
			.where('id', '=', id)
			.execute();
		await this.announce(network, changes);
		return (await this.access(id, viewer)).network;
	}

	/** One event per kind of change actually made, always in this order: name, who sees it, lock, run settings, audience settings. */
	private async announce(before: NetworkSummary, changes: z.infer<typeof updateNetworkSchema>): Promise<void> {
		const networkId = before.id;
		if (changes.name !== undefined && changes.name !== before.name) await this.events.emit('renamed', { networkId, name: changes.name });
		if (changes.visibility !== undefined && changes.visibility !== before.visibility) {
			await this.events.emit('visibilityChanged', { networkId, ownerId: before.ownerId, before: before.visibility, after: changes.visibility });
		}
		if (changes.locked !== undefined && changes.locked !== before.locked) {
			await this.events.emit('lockChanged', { networkId, locked: changes.locked, editorIds: await this.memberIds(networkId, 'editor') });
		}
		if (changes.settings) await this.events.emit('settingsChanged', { networkId });
		if (changes.audience) await this.events.emit('audienceSettingsChanged', { networkId });
	}

	/** Deletes the network (owner only) once everything resting on it has ended (the `deleting` event). */
	async remove(id: string, viewer: Viewer): Promise<void> {
		await this.requireOwner(id, viewer);
		await this.events.emit('deleting', { networkId: id });
		await this.db.transaction().execute(async (tx) => {
			await tx.deleteFrom('sync_updates').where('room', 'in', [id, `${id}/feed`]).execute();
			await tx.deleteFrom('networks').where('id', '=', id).execute();
		});
	}

	/** What the engine needs to run the network: its owner and stored run settings (the engine's port). */
	async runInfo(id: string): Promise<{ ownerId: string; settings: unknown } | undefined> {
		const row = await this.db.selectFrom('networks').select(['owner_id', 'settings']).where('id', '=', id).executeTakeFirst();
		return row && { ownerId: row.owner_id, settings: row.settings };
	}

	/** Ids of the networks `ownerId` owns (the engine counts an owner's running runs among them). */
	async idsOwnedBy(ownerId: string): Promise<string[]> {
		const rows = await this.db.selectFrom('networks').select('id').where('owner_id', '=', ownerId).execute();
		return rows.map((r) => r.id);
	}

	async touch(id: string): Promise<void> {
		await this.db.updateTable('networks').set({ updated_at: new Date() }).where('id', '=', id).execute();
	}

	/**
	 * The network's members, for its owner and members only: a stranger who may see a public
	 * network learns its owner's display name, not who else is in it. Emails go to the owner
	 * alone; editors and viewers see names, all they need to work together.
	 */
	async members(id: string, viewer: Viewer): Promise<MemberView[]> {
		const { role } = await this.access(id, viewer);
		const rows = await this.db
			.selectFrom('network_members')
			.innerJoin('users', 'users.id', 'network_members.user_id')
			.select(['users.id as userId', 'users.email', 'users.display_name', 'network_members.role', 'network_members.created_at as joinedAt'])
			.where('network_members.network_id', '=', id)
			.orderBy('network_members.created_at')
			.orderBy('users.id')
			.execute();
		if (role !== 'owner' && !rows.some((row) => row.userId === viewer.id)) {
			throw forbidden('Only the members of this network see who else is in it.');
		}
		return rows.map(({ userId, email, display_name, role: memberRole, joinedAt }) => ({
			userId,
			name: displayName({ id: userId, display_name }),
			...(role === 'owner' ? { email } : {}),
			role: memberRole,
			joinedAt
		}));
	}

	async removeMember(id: string, viewer: Viewer, userId: string): Promise<void> {
		// Owners manage members; anyone may leave a network themselves.
		if (userId !== viewer.id) await this.requireOwner(id, viewer);
		const result = await this.db
			.deleteFrom('network_members')
			.where('network_id', '=', id)
			.where('user_id', '=', userId)
			.executeTakeFirst();
		if (result.numDeletedRows === 0n) throw notFound('That person is not a member of this network.');
		await this.events.emit('membershipChanged', { networkId: id, userId, change: 'removed', role: null });
	}

	private async memberIds(id: string, role: MemberRole): Promise<string[]> {
		const rows = await this.db.selectFrom('network_members').select('user_id').where('network_id', '=', id).where('role', '=', role).execute();
		return rows.map((row) => row.user_id);
	}

	private baseQuery(viewerId: string) {
		return this.db
			.selectFrom('networks')
			.innerJoin('users as owner', 'owner.id', 'networks.owner_id')
			.leftJoin('network_members as m', (join) =>
				join.onRef('m.network_id', '=', 'networks.id').on('m.user_id', '=', viewerId)
			)
			.select([
				'networks.id',
				'networks.name',
				'networks.visibility',
				'networks.owner_id',
				'networks.settings',
				'networks.locked',
				'networks.audience',
				'owner.display_name as owner_display_name',
				'networks.created_at',
				'networks.updated_at',
				'm.role as member_role'
			]);
	}

	private summary(
		row: {
			id: string;
			name: string;
			visibility: Visibility;
			owner_id: string;
			settings: Record<string, unknown>;
			locked: boolean;
			audience: Record<string, unknown>;
			owner_display_name: string | null;
			created_at: Date;
			updated_at: Date;
			member_role: MemberRole | null;
		},
		viewer: Viewer | null
	): NetworkSummary | null {
		const role = resolveRole(row, viewer, row.member_role);
		if (!role) return null;
		return {
			id: row.id,
			name: row.name,
			visibility: row.visibility,
			ownerId: row.owner_id,
			ownerName: displayName({ id: row.owner_id, display_name: row.owner_display_name }),
			role,
			settings: row.settings,
			locked: row.locked,
			audience: audienceFor(role, resolveAudienceSettings(row.audience)),
			createdAt: row.created_at,
			updatedAt: row.updated_at
		};
	}
}

/** The blocklist says which words a facilitator refuses: theirs to know, not the audience's. */
function audienceFor(role: NetworkRole, settings: AudienceSettings): NetworkSummary['audience'] {
	if (canEdit(role)) return settings;
	const { blocklist: _hidden, ...shown } = settings;
	return shown;
}
