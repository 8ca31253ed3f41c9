import { z } from 'zod';
import type { Db } from '../db/connect';
import type { MemberRole } from '../db/schema';
import { AppError, notFound } from '../errors';
import { generateSessionToken, sessionIdFromToken } from '../auth/session-token';
import { strongerRole, type Viewer } from './access';
import type { Networks } from './networks';

const HOUR = 3_600_000;

export const createInviteSchema = z
	.object({
		role: z.enum(['editor', 'viewer'], { error: 'An invite is for an editor or a viewer.' }),
		expiresInHours: z.number().int().min(1).max(24 * 30).default(24 * 7)
	})
	.strict();

export interface InviteSummary {
	id: string;
	role: MemberRole;
	expiresAt: Date;
	revokedAt: Date | null;
	uses: number;
	createdAt: Date;
}

/**
 * Invite links: a random token in the URL (only its SHA-256 stored, like a session),
 * a role, an expiry, and a revoke switch. Anyone logged in who opens a live link joins.
 */
export class Invites {
	constructor(
		private db: Db,
		private networks: Networks,
		private now: () => number = Date.now
	) {}

	async create(networkId: string, viewer: Viewer, input: z.infer<typeof createInviteSchema>) {
		await this.networks.requireOwner(networkId, viewer);
		const token = generateSessionToken();
		const expiresAt = new Date(this.now() + input.expiresInHours * HOUR);
		const id = sessionIdFromToken(token);
		await this.db
			.insertInto('network_invites')
			.values({ id, network_id: networkId, role: input.role, created_by: viewer.id, expires_at: expiresAt })
			.execute();
		return { id, token, role: input.role, expiresAt, path: `/invite/${token}` };
	}

	async list(networkId: string, viewer: Viewer): Promise<InviteSummary[]> {
		await this.networks.requireOwner(networkId, viewer);
		const rows = await this.db
			.selectFrom('network_invites')
			.selectAll()
			.where('network_id', '=', networkId)
			.orderBy('created_at', 'desc')
			.orderBy('id')
			.execute();
		return rows.map((r) => ({ id: r.id, role: r.role, expiresAt: r.expires_at, revokedAt: r.revoked_at, uses: r.uses, createdAt: r.created_at }));
	}

	async revoke(networkId: string, viewer: Viewer, inviteId: string): Promise<void> {
		await this.networks.requireOwner(networkId, viewer);
		const result = await this.db
			.updateTable('network_invites')
			.set({ revoked_at: new Date(this.now()) })
			.where('id', '=', inviteId)
			.where('network_id', '=', networkId)
			.executeTakeFirst();
		if (result.numUpdatedRows === 0n) throw notFound('No such invite.');
	}

	/** What an invite link offers, without using it (for the accept page). */
	async peek(token: string) {
		const invite = await this.live(token);
		const network = await this.db.selectFrom('networks').select(['id', 'name']).where('id', '=', invite.network_id).executeTakeFirstOrThrow();
		return { networkId: network.id, networkName: network.name, role: invite.role, expiresAt: invite.expires_at };
	}

	async accept(token: string, viewer: Viewer): Promise<{ networkId: string; role: MemberRole | 'owner' }> {
		const invite = await this.live(token);
		const networkId = invite.network_id;
		const { role: current } = await this.networks.access(networkId, viewer).catch(() => ({ role: null }));
		if (current === 'owner') return { networkId, role: 'owner' };
		const existing = await this.db
			.selectFrom('network_members')
			.select('role')
			.where('network_id', '=', networkId)
			.where('user_id', '=', viewer.id)
			.executeTakeFirst();
		const role = existing ? strongerRole(existing.role, invite.role) : invite.role;
		await this.db.transaction().execute(async (tx) => {
			await tx
				.insertInto('network_members')
				.values({ network_id: networkId, user_id: viewer.id, role })
				.onConflict((oc) => oc.columns(['network_id', 'user_id']).doUpdateSet({ role }))
				.execute();
			await tx.updateTable('network_invites').set((eb) => ({ uses: eb('uses', '+', 1) })).where('id', '=', invite.id).execute();
		});
		if (role !== existing?.role) {
			const change = existing ? 'roleChanged' : 'joined';
			await this.networks.events.emit('membershipChanged', { networkId, userId: viewer.id, change, role });
		}
		return { networkId, role };
	}

	private async live(token: string) {
		const invite = await this.db
			.selectFrom('network_invites')
			.selectAll()
			.where('id', '=', sessionIdFromToken(token))
			.executeTakeFirst();
		if (!invite) throw notFound('This invite link is not valid. Ask the network owner for a new one.');
		if (invite.revoked_at) throw new AppError(410, 'This invite link was revoked. Ask the network owner for a new one.');
		if (invite.expires_at.getTime() <= this.now()) {
			throw new AppError(410, 'This invite link has expired. Ask the network owner for a new one.');
		}
		return invite;
	}
}
