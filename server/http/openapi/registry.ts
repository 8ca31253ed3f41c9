import { accountOperations } from './areas/account';
import { audienceOperations } from './areas/audience';
import { experimentOperations } from './areas/experiments';
import { networkOperations } from './areas/networks';
import { runOperations } from './areas/runs';
import { siteOperations } from './areas/site';
import type { Operation } from './operation';

/** Every operation of the JSON API, by area (the document and the docs page follow this order). */
export const API_AREAS: ReadonlyArray<{ name: string; description: string; operations: Operation[] }> = [
	{ name: 'Site', description: 'Health, the model catalogue and this description.', operations: siteOperations },
	{ name: 'Account', description: 'Signing in, the account, its keys and models, site settings.', operations: accountOperations },
	{ name: 'Networks', description: 'Networks, their graph, people, versions and installations.', operations: networkOperations },
	{ name: 'Runs', description: 'Starting, reading, steering, analysing and exporting runs.', operations: runOperations },
	{ name: 'Experiments', description: 'Prompt lists × runs × steps on a network, their progress and results.', operations: experimentOperations },
	{ name: 'Audience', description: 'Join codes, the prompt queue and the live feed.', operations: audienceOperations }
];

export const API_OPERATIONS: ReadonlyArray<Operation & { area: string }> = API_AREAS.flatMap((area) =>
	area.operations.map((op) => ({ ...op, area: area.name }))
);

/** The operation a method and a concrete path (`/api/runs/abc`) reach, as SvelteKit would route it. */
export function findOperation(method: string, pathname: string): (Operation & { area: string }) | undefined {
	const candidates = API_OPERATIONS.filter((op) => op.method === method.toUpperCase() && templateMatches(op, pathname));
	// A literal segment beats a parameter (`/api/networks/import` before `/api/networks/{id}`).
	return candidates.sort((a, b) => literalSegments(b.path) - literalSegments(a.path))[0];
}

function templateMatches(op: Operation, pathname: string): boolean {
	const t = op.path.split('/');
	const p = pathname.split('/');
	const same = (s: string, i: number) => /^\{.+\}$/.test(s) || s === p[i];
	return op.restParam ? p.length >= t.length && t.every(same) : t.length === p.length && t.every(same);
}

const literalSegments = (template: string) => template.split('/').filter((s) => s && !s.startsWith('{')).length;
