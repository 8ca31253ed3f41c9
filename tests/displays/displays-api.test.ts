/**
 * Installations through the app: owners and editors save screens, kiosk URLs open without a
 * login, strangers and viewers get nothing, and a Vestaboard screen receives the loop's
 * newest text through a fake Vestaboard Read/Write API.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { boardText } from '../../server/displays/vestaboard';
import { startFakeVestaboard, type FakeVestaboard } from '../fakes/fake-vestaboard';
import { ApiClient, startServer, type TestServer } from '../helpers/server';
import { until } from '../helpers/wait';

describe('displays through the app', () => {
	let board: FakeVestaboard;
	let server: TestServer;
	let owner: ApiClient;
	let stranger: ApiClient;
	let networkId: string;

	beforeAll(async () => {
		board = await startFakeVestaboard(['rw-board-key-0001']);
		server = await startServer({ env: { VESTABOARD_BASE_URL: board.baseUrl } });
		owner = new ApiClient(server.url);
		stranger = new ApiClient(server.url);
		await owner.json('POST', '/api/auth/signup', { email: 'owner@example.org', password: 'feedback loops' });
		await stranger.json('POST', '/api/auth/signup', { email: 'stranger@example.org', password: 'feedback loops' });
		networkId = (await owner.json('POST', '/api/networks', { name: 'gallery' })).body.id;
		await owner.json('PUT', `/api/networks/${networkId}/graph`, {
			nodes: [{ id: 'a', modelId: 'local/distil', x: 0, y: 0 }],
			edges: [],
			startNodeId: 'a'
		});
	}, 60_000);
	afterAll(async () => {
		await server?.dispose();
		await board?.close();
	});

	test('an installation gives each display screen a kiosk URL that works without logging in', async () => {
		const created = await owner.json('POST', `/api/networks/${networkId}/installations`, {
			name: 'Gallery',
			screens: [
				{ name: 'wall', kind: 'grid', grid: { rows: 2, cols: 3 } },
				{ name: 'board', kind: 'vestaboard', vestaboard: { key: 'rw-board-key-0001' } }
			]
		});
		expect(created.status).toBe(201);
		expect(JSON.stringify(created.body)).not.toContain('rw-board-key');
		const kioskPath = created.body.screens[0].kioskPath as string;
		const nobody = new ApiClient(server.url);
		const screen = await nobody.json('GET', `/api/displays/${kioskPath.split('/').pop()}`);
		expect(screen.status).toBe(200);
		expect(screen.body).toMatchObject({ networkId, kind: 'grid', grid: { rows: 2, cols: 3 } });
		expect(screen.body.kioskToken).toBeUndefined();
		expect((await nobody.json('GET', '/api/displays/abcdefghijklmnopqrstuvwx')).status).toBe(404);

		expect((await stranger.json('GET', `/api/networks/${networkId}/installations`)).status).toBe(404);
		expect((await stranger.json('POST', `/api/networks/${networkId}/installations`, { name: 'x', screens: [] })).status).toBeGreaterThanOrEqual(400);
		const bad = await owner.json('POST', `/api/networks/${networkId}/installations`, {
			name: 'bad',
			screens: [{ name: 's', kind: 'single', single: { stride: 2, offset: 5 } }]
		});
		expect(bad.status).toBe(400);
	});

	test("a Vestaboard screen shows the loop's newest text", async () => {
		const run = await owner.json('POST', `/api/networks/${networkId}/runs`, { input: { kind: 'text', text: 'a lighthouse in the fog' } });
		expect(run.status).toBe(201);
		const written = await until('the board to be written', () => board.boards.get('rw-board-key-0001'));
		expect(boardText(written).join(' ').replace(/\s+/g, ' ').trim().length).toBeGreaterThan(0);
		expect(board.requests[0].headers['x-vestaboard-read-write-key']).toBe('rw-board-key-0001');
	});
});
