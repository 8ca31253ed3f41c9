import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Invites } from '../../server/networks/invites';
import { Networks } from '../../server/networks/networks';
import { backends, type TestDatabase } from '../helpers/databases';

const owner = { id: 'owner', is_admin: false };
const bob = { id: 'bob', is_admin: false };
const carol = { id: 'carol', is_admin: false };
const admin = { id: 'admin', is_admin: true };

describe.each(backends())('networks and invites on $name', (backend) => {
	let t: TestDatabase;
	let now: number;
	let networks: Networks;
	let invites: Invites;

	beforeAll(async () => {
		t = await backend.open();
		await t.db
			.insertInto('users')
			.values([owner, bob, carol, admin].map((u) => ({ id: u.id, email: `${u.id}@example.org`, password_hash: 'x', is_admin: u.is_admin })))
			.execute();
	});
	afterAll(() => t.close());
	beforeEach(async () => {
		await t.db.deleteFrom('networks').execute();
		now = Date.UTC(2026, 5, 1);
		networks = new Networks(t.db);
		invites = new Invites(t.db, networks, () => now);
	});

	test('ids are unguessable and a private network is invisible to strangers', async () => {
		const net = await networks.create(owner, 'Ouroboros');
		expect(net.id).toMatch(/^[a-z2-7]{24}$/);
		expect(net.role).toBe('owner');
		await expect(networks.access(net.id, bob)).rejects.toMatchObject({ status: 404 });
		await expect(networks.access(net.id, null)).rejects.toMatchObject({ status: 404 });
		expect(await networks.list(bob)).toEqual([]);
		expect((await networks.access(net.id, admin)).role).toBe('viewer');
	});

	test('public networks are listed for everyone, unlisted ones only reachable by link', async () => {
		const pub = await networks.create(owner, 'Public loop');
		const unl = await networks.create(owner, 'Unlisted loop');
		await networks.update(pub.id, owner, { visibility: 'public' });
		await networks.update(unl.id, owner, { visibility: 'unlisted' });
		expect((await networks.list(bob)).map((n) => n.name)).toEqual(['Public loop']);
		expect((await networks.access(unl.id, bob)).role).toBe('viewer');
		expect((await networks.list(owner)).map((n) => n.name).sort()).toEqual(['Public loop', 'Unlisted loop']);
	});

	test('rename needs an editor; visibility and delete need the owner', async () => {
		const net = await networks.create(owner, 'Loop');
		await networks.update(net.id, owner, { visibility: 'public' });
		await expect(networks.update(net.id, bob, { name: 'Hijacked' })).rejects.toMatchObject({ status: 403 });
		const { token } = await invites.create(net.id, owner, { role: 'editor', expiresInHours: 24 });
		await invites.accept(token, bob);
		expect((await networks.update(net.id, bob, { name: 'Renamed' })).name).toBe('Renamed');
		await expect(networks.update(net.id, bob, { visibility: 'private' })).rejects.toMatchObject({ status: 403 });
		await expect(networks.remove(net.id, bob)).rejects.toMatchObject({ status: 403 });
		await networks.remove(net.id, owner);
		await expect(networks.access(net.id, owner)).rejects.toMatchObject({ status: 404 });
	});

	test('invite links give their role, only the hash is stored, and accepting never demotes', async () => {
		const net = await networks.create(owner, 'Loop');
		const editorInvite = await invites.create(net.id, owner, { role: 'editor', expiresInHours: 24 });
		const viewerInvite = await invites.create(net.id, owner, { role: 'viewer', expiresInHours: 24 });
		expect(await t.dumpText()).not.toContain(editorInvite.token);
		expect(editorInvite.path).toBe(`/invite/${editorInvite.token}`);

		expect(await invites.accept(viewerInvite.token, carol)).toEqual({ networkId: net.id, role: 'viewer' });
		expect((await networks.access(net.id, carol)).role).toBe('viewer');
		await expect(networks.requireEditor(net.id, carol)).rejects.toMatchObject({ status: 403 });

		await invites.accept(editorInvite.token, bob);
		await invites.accept(viewerInvite.token, bob);
		expect((await networks.access(net.id, bob)).role).toBe('editor');
		expect(await invites.accept(editorInvite.token, owner)).toEqual({ networkId: net.id, role: 'owner' });

		const listed = await invites.list(net.id, owner);
		expect(listed.find((i) => i.id === editorInvite.id)?.uses).toBe(1); // the owner's own click does not count
		expect((await networks.members(net.id, owner)).map((m) => [m.email, m.role]).sort()).toEqual([
			['bob@example.org', 'editor'],
			['carol@example.org', 'viewer']
		]);
	});

	test('expired and revoked invites are refused with 410; unknown ones with 404', async () => {
		const net = await networks.create(owner, 'Loop');
		const expiring = await invites.create(net.id, owner, { role: 'editor', expiresInHours: 1 });
		now += 3_600_001;
		await expect(invites.accept(expiring.token, bob)).rejects.toMatchObject({ status: 410, message: expect.stringMatching(/expired/) });
		const revoked = await invites.create(net.id, owner, { role: 'editor', expiresInHours: 1 });
		await invites.revoke(net.id, owner, revoked.id);
		await expect(invites.accept(revoked.token, bob)).rejects.toMatchObject({ status: 410, message: expect.stringMatching(/revoked/) });
		await expect(invites.accept('not-a-real-token', bob)).rejects.toMatchObject({ status: 404 });
		await expect(networks.access(net.id, bob)).rejects.toMatchObject({ status: 404 });
	});

	test('only the owner creates and revokes invites; members can be removed or leave', async () => {
		const net = await networks.create(owner, 'Loop');
		const { token } = await invites.create(net.id, owner, { role: 'editor', expiresInHours: 24 });
		await invites.accept(token, bob);
		await invites.accept(token, carol);
		await expect(invites.create(net.id, bob, { role: 'editor', expiresInHours: 24 })).rejects.toMatchObject({ status: 403 });
		await expect(networks.removeMember(net.id, bob, 'carol')).rejects.toMatchObject({ status: 403 });
		await networks.removeMember(net.id, owner, 'carol');
		await networks.removeMember(net.id, bob, 'bob');
		await expect(networks.access(net.id, bob)).rejects.toMatchObject({ status: 404 });
	});
});
