import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { badRequest, notFound } from '../errors';
import { randomId } from '../ids';
import type { KeyCipher } from '../keys/cipher';
import { gridSchema, singleSchema } from './screens';

/**
 * Saved multi-screen installations: a network's screens for a room (a wall of grids, a row
 * of single screens with strides, a Vestaboard), each screen with its own kiosk URL that
 * shows the feed without anyone logging in on that machine. Kiosk tokens are random and
 * stored as they are (the owner copies them onto machines again and again); a board's
 * read-write key is a secret and is stored encrypted, shown by its last 4 characters.
 */
const name = z.string().trim().min(1).max(80);

const screenInputSchema = z.discriminatedUnion('kind', [
	z.object({ id: z.string().max(40).optional(), name, kind: z.literal('grid'), grid: gridSchema }).strict(),
	z.object({ id: z.string().max(40).optional(), name, kind: z.literal('single'), single: singleSchema }).strict(),
	z
		.object({
			id: z.string().max(40).optional(),
			name,
			kind: z.literal('vestaboard'),
			/** The board's Read/Write API key; omit to keep the saved one. */
			vestaboard: z.object({ key: z.string().trim().min(8).max(200).optional() }).strict()
		})
		.strict()
]);

export const installationSchema = z.object({ name, screens: z.array(screenInputSchema).min(1).max(24) }).strict();
export type InstallationInput = z.infer<typeof installationSchema>;

type StoredScreen =
	| { id: string; name: string; kioskToken: string; kind: 'grid'; grid: z.infer<typeof gridSchema> }
	| { id: string; name: string; kioskToken: string; kind: 'single'; single: z.infer<typeof singleSchema> }
	| { id: string; name: string; kioskToken: string; kind: 'vestaboard'; vestaboard: { ciphertext: string; last4: string } };

/** A screen as people see it: kiosk path for displays, never a board's key. */
export type PublicScreen =
	| (Omit<Extract<StoredScreen, { kind: 'grid' }>, 'kioskToken'> & { kioskPath: string })
	| (Omit<Extract<StoredScreen, { kind: 'single' }>, 'kioskToken'> & { kioskPath: string })
	| { id: string; name: string; kind: 'vestaboard'; vestaboard: { last4: string } };

export interface Installation {
	id: string;
	networkId: string;
	name: string;
	screens: PublicScreen[];
	updatedAt: Date;
}

/** What a kiosk URL opens: a network's feed shown one way. */
export type KioskScreen = Extract<StoredScreen, { kind: 'grid' | 'single' }> & { networkId: string };

export interface InstallationEvents {
	/** Screens were deleted (their installation, or taken out of it): their kiosk URLs are dead. */
	onScreensRemoved?(networkId: string, screenIds: string[]): void;
}

export class Installations {
	constructor(
		private db: Db,
		private cipher: KeyCipher,
		private events: InstallationEvents = {}
	) {}

	async list(networkId: string): Promise<Installation[]> {
		const rows = await this.db.selectFrom('installations').selectAll().where('network_id', '=', networkId).orderBy('created_at').orderBy('id').execute();
		return rows.map(toPublic);
	}

	async create(networkId: string, input: InstallationInput): Promise<Installation> {
		const id = randomId();
		const screens = input.screens.map((s) => this.store(networkId, s, undefined));
		const now = new Date();
		await this.db
			.insertInto('installations')
			.values({ id, network_id: networkId, name: input.name, screens: JSON.stringify(screens), created_at: now, updated_at: now })
			.execute();
		return toPublic({ id, network_id: networkId, name: input.name, screens, updated_at: now });
	}

	/** Replaces an installation; screens that keep their id keep their kiosk URL and board key. */
	async update(networkId: string, id: string, input: InstallationInput): Promise<Installation> {
		const row = await this.row(networkId, id);
		const before = new Map((row.screens as StoredScreen[]).map((s) => [s.id, s]));
		const screens = input.screens.map((s) => this.store(networkId, s, s.id ? before.get(s.id) : undefined));
		const now = new Date();
		await this.db
			.updateTable('installations')
			.set({ name: input.name, screens: JSON.stringify(screens), updated_at: now })
			.where('id', '=', id)
			.execute();
		const kept = new Set(screens.map((s) => s.id));
		this.screensRemoved(networkId, [...before.keys()].filter((screenId) => !kept.has(screenId)));
		return toPublic({ id, network_id: networkId, name: input.name, screens, updated_at: now });
	}

	async remove(networkId: string, id: string): Promise<void> {
		const row = await this.db
			.deleteFrom('installations')
			.where('id', '=', id)
			.where('network_id', '=', networkId)
			.returning('screens')
			.executeTakeFirst();
		if (!row) throw notFound('No such installation.');
		this.screensRemoved(networkId, (row.screens as StoredScreen[]).map((s) => s.id));
	}

	private screensRemoved(networkId: string, screenIds: string[]) {
		if (screenIds.length) this.events.onScreensRemoved?.(networkId, screenIds);
	}

	/** The screen behind a kiosk token, or null (deleted, or never existed). */
	async kiosk(token: string): Promise<KioskScreen | null> {
		if (!/^[a-z0-9]{16,40}$/.test(token)) return null;
		const row = await this.db
			.selectFrom('installations')
			.select(['network_id', 'screens'])
			.where(sql<boolean>`screens @> ${JSON.stringify([{ kioskToken: token }])}::jsonb`)
			.executeTakeFirst();
		const screen = (row?.screens as StoredScreen[] | undefined)?.find((s) => s.kioskToken === token);
		if (!row || !screen || screen.kind === 'vestaboard') return null;
		return { ...screen, networkId: row.network_id };
	}

	/** Every board of a network with its read-write key, for the process that writes to them. */
	async boards(networkId: string): Promise<Array<{ screenId: string; name: string; key: string }>> {
		const rows = await this.db.selectFrom('installations').select('screens').where('network_id', '=', networkId).execute();
		return rows.flatMap((r) =>
			(r.screens as StoredScreen[]).flatMap((s) =>
				s.kind === 'vestaboard'
					? [{ screenId: s.id, name: s.name, key: this.cipher.decrypt(s.vestaboard.ciphertext, boardContext(networkId, s.id)) }]
					: []
			)
		);
	}

	private store(networkId: string, input: z.infer<typeof screenInputSchema>, before: StoredScreen | undefined): StoredScreen {
		const id = before?.id ?? randomId();
		const kioskToken = before?.kioskToken ?? randomId();
		if (input.kind !== 'vestaboard') return { ...input, id, kioskToken } as StoredScreen;
		const key = input.vestaboard.key;
		if (!key) {
			if (before?.kind !== 'vestaboard') throw badRequest(`The board "${input.name}" needs its read-write key.`);
			return { id, name: input.name, kioskToken, kind: 'vestaboard', vestaboard: before.vestaboard };
		}
		const ciphertext = this.cipher.encrypt(key, boardContext(networkId, id));
		return { id, name: input.name, kioskToken, kind: 'vestaboard', vestaboard: { ciphertext, last4: key.slice(-4) } };
	}

	private async row(networkId: string, id: string) {
		const row = await this.db.selectFrom('installations').selectAll().where('id', '=', id).where('network_id', '=', networkId).executeTakeFirst();
		if (!row) throw notFound('No such installation.');
		return row;
	}
}

/** A board key is bound to its network and screen: moved anywhere else, it does not decrypt. */
const boardContext = (networkId: string, screenId: string) => ({ userId: networkId, platform: `vestaboard:${screenId}` });

function toPublic(row: { id: string; network_id: string; name: string; screens: unknown; updated_at: Date }): Installation {
	const screens = (row.screens as StoredScreen[]).map((s): PublicScreen => {
		if (s.kind === 'vestaboard') return { id: s.id, name: s.name, kind: s.kind, vestaboard: { last4: s.vestaboard.last4 } };
		const { kioskToken, ...rest } = s;
		return { ...rest, kioskPath: `/display/${kioskToken}` };
	});
	return { id: row.id, networkId: row.network_id, name: row.name, screens, updatedAt: row.updated_at };
}
