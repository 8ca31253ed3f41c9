import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends } from './helpers/databases';
import { loopGraph } from './helpers/graphs';
import { ApiClient, startServer, type TestServer } from './helpers/server';
import { until } from './helpers/wait';

/**
 * The authorization matrix (issue 11, "Held up"): every API route × method × principal, with
 * the exact status each gets. The routes come from the file system (src/routes/api/**\/+server.ts
 * and the methods each exports), so a new route or method without a row fails this test.
 *
 * The network under test is private, owned by `owner`, with an invited `editor` and `viewer`;
 * `audience` joined it with a code; `kiosk` carries an installation's token (as `?kiosk=`, as a
 * kiosk screen does) and no cookie; `stranger` is logged in and nothing to it; `anonymous` has
 * nothing. Each request goes out on a copy of the principal's cookies, so a sign-up, log-in or
 * join in one cell never changes who the principal is in the next.
 */
const WHO = ['anonymous', 'kiosk', 'audience', 'stranger', 'viewer', 'editor', 'owner'] as const;
type Who = (typeof WHO)[number];
const USERS = ['stranger', 'viewer', 'editor', 'owner'] as const;

interface Fixture {
	server: TestServer;
	clients: Record<Who, ApiClient>;
	/** The private network everyone is something to. */
	networkId: string;
	kioskToken: string;
	/** An installation to edit (not the kiosk's, whose token must keep working). */
	installationId: string;
	/** A finished run of the network. */
	runId: string;
	/** An invite to a second network of the owner's (accepting one changes memberships). */
	otherInviteToken: string;
	/** The export of a run without images or sound (run.json imports on its own). */
	runExport: unknown;
	networkExport: unknown;
	/** Fresh targets for cells that consume them, made as the owner. */
	freshNetwork(): Promise<string>;
	freshInstallation(): Promise<string>;
	freshInvite(): Promise<string>;
	freshMember(): Promise<string>;
	freshAudienceSession(): Promise<string>;
	/** A waiting prompt of the owner's. */
	freshPrompt(): Promise<string>;
	/** A waiting prompt from a phone that just joined. */
	freshAudiencePrompt(): Promise<string>;
	runningRun(): Promise<string>;
	/** A finished experiment on the network. */
	experimentId: string;
	/** A running experiment on a network of its own (fresh for those who may cancel it). */
	runningExperiment(who: Who): Promise<string>;
	pausedRun(): Promise<string>;
	/** A new session for a user principal (log-out ends the one it is sent with). */
	freshSession(who: Who): Promise<ApiClient>;
}

interface Row {
	/** A method this route exports (`fallback` is sent as GET). */
	method: string;
	/** The route as on the file system, under src/routes. */
	route: string;
	/** Statuses for anonymous, kiosk, audience, stranger, viewer, editor, owner. */
	expect: string;
	path: (f: Fixture, who: Who) => string | Promise<string>;
	body?: (f: Fixture, who: Who) => unknown;
	/** The cell needs a client of its own (e.g. a fresh session to log out). */
	client?: (f: Fixture, who: Who) => Promise<ApiClient>;
}

const net = (f: Fixture) => `/api/networks/${f.networkId}`;
/** The version the fixture's finished run keeps of the graph it used. */
const runVersion = async (f: Fixture): Promise<string> => {
	const versions = (await f.clients.owner.json('GET', `${net(f)}/versions`)).body as Array<{ id: string; runId: string | null }>;
	const found = versions.find((v) => v.runId === f.runId);
	if (!found) throw new Error(`The run ${f.runId} has no version.`);
	return found.id;
};
let seq = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${seq++}`;

const ROWS: Row[] = [
	// —— site ——
	{ method: 'fallback', route: '/api/[...rest]', expect: '404 404 404 404 404 404 404', path: () => '/api/no/such/route' },
	{ method: 'GET', route: '/api/health', expect: '200 200 200 200 200 200 200', path: () => '/api/health' },
	{ method: 'GET', route: '/api/models', expect: '200 200 200 200 200 200 200', path: () => '/api/models' },
	{ method: 'GET', route: '/api/openapi.json', expect: '200 200 200 200 200 200 200', path: () => '/api/openapi.json' },
	{ method: 'GET', route: '/api/admin/settings', expect: '401 401 401 200 200 200 200', path: () => '/api/admin/settings' },
	// Only the site admin (the first account; none of these principals) opens or closes sign-up.
	{ method: 'PATCH', route: '/api/admin/settings', expect: '401 401 401 403 403 403 403', path: () => '/api/admin/settings', body: () => ({ signupOpen: true }) },

	// —— accounts ——
	{
		method: 'POST', route: '/api/auth/signup', expect: '201 201 201 201 201 201 201',
		path: () => '/api/auth/signup', body: () => ({ email: `${unique('new')}@example.org`, password: 'a new password' })
	},
	{
		method: 'POST', route: '/api/auth/login', expect: '200 200 200 200 200 200 200',
		path: () => '/api/auth/login', body: () => ({ email: 'spare@example.org', password: 'spare@example.org password' })
	},
	{ method: 'POST', route: '/api/auth/logout', expect: '200 200 200 200 200 200 200', path: () => '/api/auth/logout', client: (f, who) => f.freshSession(who) },
	{ method: 'GET', route: '/api/me', expect: '401 401 401 200 200 200 200', path: () => '/api/me' },
	{ method: 'PATCH', route: '/api/me', expect: '401 401 401 200 200 200 200', path: () => '/api/me', body: (_f, who) => ({ displayName: `The ${who}` }) },
	{ method: 'GET', route: '/api/me/keys', expect: '401 401 401 200 200 200 200', path: () => '/api/me/keys' },
	{ method: 'PUT', route: '/api/me/keys/[platform]', expect: '401 401 401 200 200 200 200', path: () => '/api/me/keys/replicate', body: () => ({ key: 'r8_matrix0000000000000000000' }) },
	{ method: 'DELETE', route: '/api/me/keys/[platform]', expect: '401 401 401 200 200 200 200', path: () => '/api/me/keys/replicate' },
	// Nobody here saved a Hugging Face key: past the login check, a 404 that says so.
	{ method: 'POST', route: '/api/me/keys/[platform]/check', expect: '401 401 401 404 404 404 404', path: () => '/api/me/keys/huggingface/check' },
	// Availability as the user's own keys reach it; "Check now" asks again (nothing to ask here: no checkable keys).
	{ method: 'GET', route: '/api/me/availability', expect: '401 401 401 200 200 200 200', path: () => '/api/me/availability' },
	{ method: 'POST', route: '/api/me/availability/check', expect: '401 401 401 200 200 200 200', path: () => '/api/me/availability/check', body: () => ({}) },
	{ method: 'GET', route: '/api/me/models', expect: '401 401 401 200 200 200 200', path: () => '/api/me/models' },
	// Without a Replicate key, adding a model by name is a 400 that says to add one.
	{ method: 'POST', route: '/api/me/models', expect: '401 401 401 400 400 400 400', path: () => '/api/me/models', body: () => ({ ref: 'someone/some-model' }) },
	{ method: 'POST', route: '/api/me/models/preview', expect: '401 401 401 400 400 400 400', path: () => '/api/me/models/preview', body: () => ({ ref: 'someone/some-model' }) },
	{ method: 'DELETE', route: '/api/me/models/[...id]', expect: '401 401 401 404 404 404 404', path: () => '/api/me/models/someone/some-model' },

	// —— links that are their own credential ——
	{ method: 'GET', route: '/api/displays/[token]', expect: '200 200 200 200 200 200 200', path: (f) => `/api/displays/${f.kioskToken}` },
	{ method: 'GET', route: '/api/invites/[token]', expect: '200 200 200 200 200 200 200', path: (f) => `/api/invites/${f.otherInviteToken}` },
	{ method: 'POST', route: '/api/invites/[token]', expect: '401 401 401 200 200 200 200', path: (f) => `/api/invites/${f.otherInviteToken}` },
	{
		method: 'POST', route: '/api/join/[code]', expect: '200 200 200 200 200 200 200',
		path: async (f) => `/api/join/${(await f.clients.owner.json('GET', `${net(f)}/join-codes/current`)).body.code}`
	},

	// —— networks ——
	{ method: 'GET', route: '/api/networks', expect: '401 401 401 200 200 200 200', path: () => '/api/networks' },
	{ method: 'POST', route: '/api/networks', expect: '401 401 401 201 201 201 201', path: () => '/api/networks', body: () => ({ name: 'Made in the matrix' }) },
	{ method: 'POST', route: '/api/networks/import', expect: '401 401 401 201 201 201 201', path: () => '/api/networks/import', body: (f) => f.networkExport },
	{ method: 'GET', route: '/api/networks/[id]', expect: '404 404 404 404 200 200 200', path: net },
	{ method: 'PATCH', route: '/api/networks/[id]', expect: '401 401 401 404 403 200 200', path: net, body: () => ({ name: 'Matrix' }) },
	{ method: 'DELETE', route: '/api/networks/[id]', expect: '401 401 401 404 403 403 200', path: async (f) => `/api/networks/${await f.freshNetwork()}` },
	{ method: 'GET', route: '/api/networks/[id]/export', expect: '404 404 404 404 200 200 200', path: (f) => `${net(f)}/export` },
	// The owner's keys' view of the network's models: members only, viewers included.
	{ method: 'GET', route: '/api/networks/[id]/availability', expect: '401 401 401 404 200 200 200', path: (f) => `${net(f)}/availability` },
	{ method: 'GET', route: '/api/networks/[id]/graph', expect: '404 404 404 404 200 200 200', path: (f) => `${net(f)}/graph` },
	{ method: 'PUT', route: '/api/networks/[id]/graph', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/graph`, body: () => GRAPH },
	// History (issue 17): viewers list and read versions; editors save and restore (the run's own graph, so the network still runs).
	{ method: 'GET', route: '/api/networks/[id]/versions', expect: '404 404 404 404 200 200 200', path: (f) => `${net(f)}/versions` },
	{ method: 'POST', route: '/api/networks/[id]/versions', expect: '401 401 401 404 403 201 201', path: (f) => `${net(f)}/versions`, body: () => ({ name: 'Matrix' }) },
	{ method: 'GET', route: '/api/networks/[id]/versions/[versionId]', expect: '404 404 404 404 200 200 200', path: async (f) => `${net(f)}/versions/${await runVersion(f)}` },
	{ method: 'POST', route: '/api/networks/[id]/versions/[versionId]/restore', expect: '401 401 401 404 403 200 200', path: async (f) => `${net(f)}/versions/${await runVersion(f)}/restore` },
	{ method: 'GET', route: '/api/networks/[id]/members', expect: '401 401 401 404 200 200 200', path: (f) => `${net(f)}/members` },
	// Owners remove members (anyone may remove themselves; not tested here: the target is someone else).
	{ method: 'DELETE', route: '/api/networks/[id]/members/[userId]', expect: '401 401 401 404 403 403 200', path: async (f) => `${net(f)}/members/${await f.freshMember()}` },
	{ method: 'GET', route: '/api/networks/[id]/invites', expect: '401 401 401 404 403 403 200', path: (f) => `${net(f)}/invites` },
	{ method: 'POST', route: '/api/networks/[id]/invites', expect: '401 401 401 404 403 403 201', path: (f) => `${net(f)}/invites`, body: () => ({ role: 'viewer' }) },
	{ method: 'DELETE', route: '/api/networks/[id]/invites/[inviteId]', expect: '401 401 401 404 403 403 200', path: async (f) => `${net(f)}/invites/${await f.freshInvite()}` },

	// —— runs ——
	{ method: 'GET', route: '/api/networks/[id]/runs', expect: '404 404 404 404 200 200 200', path: (f) => `${net(f)}/runs` },
	{ method: 'POST', route: '/api/networks/[id]/runs', expect: '401 401 401 404 403 201 201', path: (f) => `${net(f)}/runs`, body: () => ({ input: 'a dream of the sea at dawn' }) },
	{ method: 'GET', route: '/api/runs/[id]', expect: '404 404 404 404 200 200 200', path: (f) => `/api/runs/${f.runId}` },
	// The analysis query is strict: a kiosk's stray ?kiosk= is a 400 before anything is looked up.
	{ method: 'GET', route: '/api/runs/[id]/analysis', expect: '404 400 404 404 200 200 200', path: (f) => `/api/runs/${f.runId}/analysis` },
	// The atlas and the runs export with it: whoever sees the network; the query is strict, as the analysis's (a kiosk's ?kiosk= is a 400).
	{ method: 'GET', route: '/api/networks/[id]/atlas', expect: '404 400 404 404 200 200 200', path: (f) => `${net(f)}/atlas?runs=${f.runId}` },
	{ method: 'GET', route: '/api/networks/[id]/runs/export.zip', expect: '404 400 404 404 200 200 200', path: (f) => `${net(f)}/runs/export.zip?runs=${f.runId}` },
	// The live run stream: members only, like the run page (the audience and kiosks have the feed).
	{ method: 'GET', route: '/api/runs/[id]/events', expect: '401 401 401 404 200 200 200', path: (f) => `/api/runs/${f.runId}/events` },
	{ method: 'GET', route: '/api/runs/[id]/export', expect: '404 404 404 404 200 200 200', path: (f) => `/api/runs/${f.runId}/export` },
	{ method: 'GET', route: '/api/runs/[id]/export.zip', expect: '404 404 404 404 200 200 200', path: (f) => `/api/runs/${f.runId}/export.zip` },
	{ method: 'GET', route: '/api/runs/[id]/invocations.csv', expect: '404 404 404 404 200 200 200', path: (f) => `/api/runs/${f.runId}/invocations.csv` },
	{ method: 'POST', route: '/api/runs/[id]/pause', expect: '401 401 401 404 403 200 200', path: async (f) => `/api/runs/${await f.runningRun()}/pause` },
	{ method: 'POST', route: '/api/runs/[id]/resume', expect: '401 401 401 404 403 200 200', path: async (f) => `/api/runs/${await f.pausedRun()}/resume` },
	{ method: 'POST', route: '/api/runs/[id]/stop', expect: '401 401 401 404 403 200 200', path: async (f) => `/api/runs/${await f.runningRun()}/stop` },
	{ method: 'POST', route: '/api/runs/import', expect: '401 401 401 201 201 201 201', path: () => '/api/runs/import', body: (f) => f.runExport },

	// —— experiments (issue 16): viewers read, editors start, estimate and cancel ——
	{ method: 'GET', route: '/api/networks/[id]/experiments', expect: '404 404 404 404 200 200 200', path: (f) => `${net(f)}/experiments` },
	{
		method: 'POST', route: '/api/networks/[id]/experiments', expect: '401 401 401 404 403 201 201',
		path: async (f) => `/api/networks/${await f.freshNetwork()}/experiments`, body: () => EXPERIMENT
	},
	{ method: 'POST', route: '/api/networks/[id]/experiments/estimate', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/experiments/estimate`, body: () => EXPERIMENT },
	{ method: 'GET', route: '/api/experiments/[id]', expect: '404 404 404 404 200 200 200', path: (f) => `/api/experiments/${f.experimentId}` },
	// The live stream: members only, like a run's.
	// Its query is strict like the network atlas's (a kiosk's ?kiosk= is a 400).
	{ method: 'GET', route: '/api/experiments/[id]/atlas', expect: '404 400 404 404 200 200 200', path: (f) => `/api/experiments/${f.experimentId}/atlas` },
	{ method: 'GET', route: '/api/experiments/[id]/events', expect: '401 401 401 404 200 200 200', path: (f) => `/api/experiments/${f.experimentId}/events` },
	{ method: 'POST', route: '/api/experiments/[id]/cancel', expect: '401 401 401 404 403 200 200', path: async (f, who) => `/api/experiments/${await f.runningExperiment(who)}/cancel` },

	// —— audience and facilitation ——
	// The feed: anyone who may see the network, its audience, its kiosk screens.
	{ method: 'GET', route: '/api/networks/[id]/feed', expect: '401 200 200 404 200 200 200', path: (f) => `${net(f)}/feed` },
	{ method: 'POST', route: '/api/networks/[id]/join-codes', expect: '401 401 401 404 403 201 201', path: (f) => `${net(f)}/join-codes` },
	{ method: 'GET', route: '/api/networks/[id]/join-codes/current', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/join-codes/current` },
	{ method: 'GET', route: '/api/networks/[id]/audience', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/audience` },
	{ method: 'DELETE', route: '/api/networks/[id]/audience/[sessionId]', expect: '401 401 401 404 403 200 200', path: async (f) => `${net(f)}/audience/${await f.freshAudienceSession()}` },
	{
		method: 'POST', route: '/api/networks/[id]/audience/remove', expect: '401 401 401 404 403 200 200',
		path: (f) => `${net(f)}/audience/remove`, body: async (f) => ({ sessionIds: [await f.freshAudienceSession()] })
	},
	{ method: 'POST', route: '/api/networks/[id]/end-event', expect: '401 401 401 404 403 200 200', path: async (f) => `/api/networks/${await f.freshNetwork()}/end-event` },
	// Prompts: the audience and facilitators send; a viewer may neither send nor read the queue.
	{ method: 'GET', route: '/api/networks/[id]/prompts', expect: '401 401 200 404 403 200 200', path: (f) => `${net(f)}/prompts` },
	{ method: 'POST', route: '/api/networks/[id]/prompts', expect: '401 401 201 404 403 201 201', path: (f) => `${net(f)}/prompts`, body: () => ({ text: 'a red circle at noon' }) },
	// Withdrawing: one's own prompts only (the target is the owner's).
	{ method: 'POST', route: '/api/networks/[id]/prompts/clear', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/prompts/clear` },
	{ method: 'DELETE', route: '/api/networks/[id]/prompts/[promptId]', expect: '401 401 404 404 403 404 200', path: async (f) => `${net(f)}/prompts/${await f.freshPrompt()}` },
	{ method: 'POST', route: '/api/networks/[id]/prompts/[promptId]/approve', expect: '401 401 401 404 403 200 200', path: async (f) => `${net(f)}/prompts/${await f.freshAudiencePrompt()}/approve` },
	{ method: 'POST', route: '/api/networks/[id]/prompts/[promptId]/reject', expect: '401 401 401 404 403 200 200', path: async (f) => `${net(f)}/prompts/${await f.freshAudiencePrompt()}/reject` },
	{ method: 'GET', route: '/api/networks/[id]/installations', expect: '401 401 401 404 403 200 200', path: (f) => `${net(f)}/installations` },
	{ method: 'POST', route: '/api/networks/[id]/installations', expect: '401 401 401 404 403 201 201', path: (f) => `${net(f)}/installations`, body: () => INSTALLATION },
	{
		method: 'PUT', route: '/api/networks/[id]/installations/[installationId]', expect: '401 401 401 404 403 200 200',
		path: (f) => `${net(f)}/installations/${f.installationId}`, body: () => INSTALLATION
	},
	{
		method: 'DELETE', route: '/api/networks/[id]/installations/[installationId]', expect: '401 401 401 404 403 200 200',
		path: async (f) => `${net(f)}/installations/${await f.freshInstallation()}`
	}
];

const GRAPH = loopGraph('local/paint', 'local/caption');
const EXPERIMENT = { prompts: ['a red circle', 'a blue square'], runs: 1, steps: 2 };
const INSTALLATION = { name: 'Hall', screens: [{ name: 'Wall', kind: 'grid', grid: { rows: 1, cols: 2 } }] };

/** Every `METHOD /api/route` the file system defines. */
function apiRoutes(): string[] {
	const root = path.resolve('src/routes');
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name === '+server.ts') {
				const route = '/' + path.relative(root, dir).split(path.sep).join('/');
				const source = fs.readFileSync(full, 'utf8');
				for (const [, method] of source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|fallback)\b/g)) {
					found.push(`${method} ${route}`);
				}
			}
		}
	};
	walk(path.join(root, 'api'));
	return found.sort();
}

test('every API route and method has a row in the matrix, and every row a route', () => {
	const routes = apiRoutes();
	expect(routes.length).toBeGreaterThan(50);
	const rows = ROWS.map((r) => `${r.method} ${r.route}`);
	const missing = routes.filter((r) => !rows.includes(r)).map((r) => `add a row for ${r}`);
	const stale = rows.filter((r) => !routes.includes(r)).map((r) => `remove the row for ${r} (no such route)`);
	const twice = rows.filter((r, i) => rows.indexOf(r) !== i).map((r) => `${r} has two rows`);
	expect([...missing, ...stale, ...twice]).toEqual([]);
	for (const row of ROWS) expect(row.expect.split(' '), `${row.method} ${row.route}`).toHaveLength(WHO.length);
});

describe.each(backends())('the authorization matrix on $name', ({ name }) => {
	let f: Fixture;

	beforeAll(async () => {
		// Every principal signs up from this one address; the sign-up limit is not what is tested.
		const server = await startServer({ backend: name, env: { SIGNUPS_PER_ADDRESS: '10000' } });
		f = await buildFixture(server);
	}, 120_000);
	afterAll(() => f?.server.dispose());

	test.each(ROWS.map((row) => [`${row.method} ${row.route}`, row] as const))('%s', async (_label, row) => {
		const seen: string[] = [];
		for (const who of WHO) {
			const client = row.client ? await row.client(f, who) : copyOf(f.clients[who]);
			let target = await row.path(f, who);
			if (who === 'kiosk') target += `${target.includes('?') ? '&' : '?'}kiosk=${f.kioskToken}`;
			const method = row.method === 'fallback' ? 'GET' : row.method;
			const body = await row.body?.(f, who);
			const res = await client.request(method, target, body);
			if (res.status >= 400) {
				const error = await res.json().catch(() => null);
				expect(typeof error?.error, `${who}: ${method} ${target} answers ${res.status} with a JSON { error }`).toBe('string');
			} else {
				await res.body?.cancel(); // the feed streams; downloads need not be read
			}
			seen.push(String(res.status));
		}
		expect(Object.fromEntries(WHO.map((who, i) => [who, seen[i]]))).toEqual(Object.fromEntries(WHO.map((who, i) => [who, row.expect.split(' ')[i]])));
	});
});

function copyOf(client: ApiClient): ApiClient {
	const copy = new ApiClient(client.base);
	copy.cookies = new Map(client.cookies);
	return copy;
}

async function buildFixture(server: TestServer): Promise<Fixture> {
	const client = () => new ApiClient(server.url);
	const ok = async (c: ApiClient, method: string, p: string, body?: unknown) => {
		const res = await c.json(method, p, body);
		if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body;
	};
	const signup = async (email: string) => {
		const c = client();
		await ok(c, 'POST', '/api/auth/signup', { email, password: `${email} password` });
		return c;
	};
	await signup('admin@example.org'); // the first account is the site admin: none of the principals
	await signup('spare@example.org');
	const owner = await signup('owner@example.org');
	const editor = await signup('editor@example.org');
	const viewer = await signup('viewer@example.org');
	const stranger = await signup('stranger@example.org');

	const invite = async (networkId: string, role: 'editor' | 'viewer', ...people: ApiClient[]) => {
		const { url } = await ok(owner, 'POST', `/api/networks/${networkId}/invites`, { role });
		const token = new URL(url).pathname.split('/').pop()!;
		for (const person of people) await ok(person, 'POST', `/api/invites/${token}`);
		return token;
	};
	const newNetwork = async (name: string, settings: Record<string, unknown>) => {
		const { id } = await ok(owner, 'POST', '/api/networks', { name });
		await ok(owner, 'PATCH', `/api/networks/${id}`, { settings, audience: { queueMode: 'moderated', promptBurst: 20, promptsPerMinute: 60 } });
		await ok(owner, 'PUT', `/api/networks/${id}/graph`, GRAPH);
		await invite(id, 'editor', editor);
		await invite(id, 'viewer', viewer);
		return id;
	};

	const networkId = await newNetwork('Matrix', { pacing: { fixedMs: 20 }, lockoutSeconds: 0, budgets: { maxInvocations: 3 } });
	// Runs here stay running until someone pauses or stops them.
	const slowId = await newNetwork('Slow', { pacing: { fixedMs: 600_000 }, lockoutSeconds: 0 });
	const { runId } = await ok(owner, 'POST', `/api/networks/${networkId}/runs`, { input: 'a dream of the sea at dawn' });
	await until('the run to finish', async () => (await owner.json('GET', `/api/runs/${runId}`)).body.status !== 'running', 20_000);

	const { code } = await ok(owner, 'POST', `/api/networks/${networkId}/join-codes`);
	const join = async () => {
		const phone = client();
		await ok(phone, 'POST', `/api/join/${code}`);
		return phone;
	};
	const audience = await join();
	const kioskInstallation = await ok(owner, 'POST', `/api/networks/${networkId}/installations`, INSTALLATION);
	const kioskToken = kioskInstallation.screens[0].kioskPath.split('/').pop();
	const other = await ok(owner, 'POST', '/api/networks', { name: 'Other' });
	await ok(owner, 'PATCH', `/api/networks/${other.id}`, { settings: { pacing: { fixedMs: 20 }, budgets: { maxInvocations: 2 } } });
	await ok(owner, 'PUT', `/api/networks/${other.id}/graph`, { nodes: [{ id: 'distil', modelId: 'local/distil', x: 0, y: 0 }], edges: [], startNodeId: 'distil' });
	const { runId: textRunId } = await ok(owner, 'POST', `/api/networks/${other.id}/runs`, { input: 'words about words' });
	await until('the text run to finish', async () => (await owner.json('GET', `/api/runs/${textRunId}`)).body.status !== 'running', 20_000);

	const { id: experimentId } = await ok(owner, 'POST', `/api/networks/${networkId}/experiments`, EXPERIMENT);
	await until('the experiment to finish', async () => (await owner.json('GET', `/api/experiments/${experimentId}`)).body.status !== 'running', 20_000);
	// Long enough to be running when cancelled; those who may not cancel share one.
	const longExperiment = async (by: ApiClient) => (await ok(by, 'POST', `/api/networks/${await newNetwork(unique('experiment'), {})}/experiments`, { prompts: ['a long tide'], runs: 1, steps: 1000 })).id;
	let shared: string | null = null;

	const clients: Record<Who, ApiClient> = { anonymous: client(), kiosk: client(), audience, stranger, viewer, editor, owner };
	return {
		server,
		clients,
		networkId,
		kioskToken,
		installationId: (await ok(owner, 'POST', `/api/networks/${networkId}/installations`, INSTALLATION)).id,
		runId,
		otherInviteToken: await invite(other.id, 'viewer'),
		runExport: await ok(owner, 'GET', `/api/runs/${textRunId}/export`),
		networkExport: await ok(owner, 'GET', `/api/networks/${networkId}/export`),
		freshNetwork: () => newNetwork(unique('fresh'), {}),
		freshInstallation: async () => (await ok(owner, 'POST', `/api/networks/${networkId}/installations`, INSTALLATION)).id,
		freshInvite: async () => (await ok(owner, 'POST', `/api/networks/${networkId}/invites`, { role: 'viewer' })).id,
		async freshMember() {
			const member = await signup(`${unique('member')}@example.org`);
			await invite(networkId, 'viewer', member);
			return (await ok(member, 'GET', '/api/me')).user.id;
		},
		async freshAudienceSession() {
			const phone = await join();
			const { label } = await ok(phone, 'POST', `/api/join/${code}`);
			const { sessions } = await ok(owner, 'GET', `/api/networks/${networkId}/audience`);
			return sessions.find((s: { label: string }) => s.label === label).id;
		},
		freshPrompt: async () => (await ok(owner, 'POST', `/api/networks/${networkId}/prompts`, { text: unique('a prompt') })).id,
		freshAudiencePrompt: async () => (await ok(await join(), 'POST', `/api/networks/${networkId}/prompts`, { text: unique('a prompt') })).id,
		experimentId,
		async runningExperiment(who) {
			if (who === 'editor' || who === 'owner') {
				// The shared one has served: it stops rather than run on beside the fresh ones.
				if (shared) await owner.json('POST', `/api/experiments/${shared}/cancel`);
				shared = null;
				return longExperiment(who === 'editor' ? editor : owner);
			}
			return (shared ??= await longExperiment(owner));
		},
		runningRun: async () => (await ok(owner, 'POST', `/api/networks/${slowId}/runs`, { input: 'a slow tide' })).runId,
		async pausedRun() {
			const { runId: id } = await ok(owner, 'POST', `/api/networks/${slowId}/runs`, { input: 'a slow tide' });
			await ok(owner, 'POST', `/api/runs/${id}/pause`);
			return id;
		},
		async freshSession(who) {
			if (!(USERS as readonly string[]).includes(who)) return copyOf(clients[who]);
			const c = client();
			await ok(c, 'POST', '/api/auth/login', { email: `${who}@example.org`, password: `${who}@example.org password` });
			return c;
		}
	};
}
