import { call } from '$lib/feed/run-api';

/** Saved installations (GET/POST /api/networks/:id/installations, PUT/DELETE …/:installationId). */
export type Screen =
	| { id: string; name: string; kind: 'grid'; grid: { rows: number; cols: number }; kioskPath: string }
	| { id: string; name: string; kind: 'single'; single: { stride: number; offset: number; showRunning: boolean }; kioskPath: string }
	| { id: string; name: string; kind: 'vestaboard'; vestaboard: { last4: string } };

export interface Installation {
	id: string;
	name: string;
	screens: Screen[];
}

/** A screen as the form edits it: every kind's fields at once, so switching kind keeps values. */
export interface ScreenDraft {
	id?: string;
	name: string;
	kind: 'grid' | 'single' | 'vestaboard';
	rows: number;
	cols: number;
	stride: number;
	offset: number;
	showRunning: boolean;
	key: string;
	last4?: string;
}

export const blankScreen = (n: number): ScreenDraft => ({ name: `Screen ${n}`, kind: 'grid', rows: 2, cols: 3, stride: 1, offset: 0, showRunning: true, key: '' });

export function draftOf(screen: Screen): ScreenDraft {
	const base = { ...blankScreen(1), id: screen.id, name: screen.name, kind: screen.kind };
	if (screen.kind === 'grid') return { ...base, ...screen.grid };
	if (screen.kind === 'single') return { ...base, ...screen.single };
	return { ...base, last4: screen.vestaboard.last4 };
}

export function bodyOf(name: string, drafts: ScreenDraft[]) {
	return {
		name: name.trim(),
		screens: drafts.map((d) => {
			const common = { ...(d.id ? { id: d.id } : {}), name: d.name.trim() };
			if (d.kind === 'grid') return { ...common, kind: d.kind, grid: { rows: Number(d.rows), cols: Number(d.cols) } };
			if (d.kind === 'single') return { ...common, kind: d.kind, single: { stride: Number(d.stride), offset: Number(d.offset), showRunning: d.showRunning } };
			return { ...common, kind: d.kind, vestaboard: d.key.trim() ? { key: d.key.trim() } : {} };
		})
	};
}

const base = (networkId: string) => `/api/networks/${encodeURIComponent(networkId)}/installations`;
export const listInstallations = (networkId: string) => call<Installation[]>(fetch, 'GET', base(networkId));
export const saveInstallation = (networkId: string, id: string | null, body: ReturnType<typeof bodyOf>) =>
	id ? call<Installation>(fetch, 'PUT', `${base(networkId)}/${encodeURIComponent(id)}`, body) : call<Installation>(fetch, 'POST', base(networkId), body);
export const deleteInstallation = (networkId: string, id: string) => call<unknown>(fetch, 'DELETE', `${base(networkId)}/${encodeURIComponent(id)}`);
