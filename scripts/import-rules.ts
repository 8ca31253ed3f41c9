import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/**
 * Who may import what, so browser code cannot pull in server code by accident:
 *
 * - Client files (everything under src/ that runs in the browser) import only the shared
 *   folder (`$shared`, server/shared), src/ files that are not server-side, packages and
 *   SvelteKit's public modules. Type-only imports count too: a client file typed by a server
 *   module is one refactor away from importing it, and the shared folder is where types for
 *   both sides live.
 * - Server-side files under src/ (`*.server.ts`, `+server.ts`, `src/lib/server/**`) run on
 *   the server only and may import anything. So may `*.d.ts` (app.d.ts types App.Locals with
 *   server types): declarations emit no code.
 * - The shared folder imports only itself and a few browser-safe packages: no node: builtins,
 *   no database, no server modules, nothing from src/ (server code and tsx scripts load it
 *   outside Vite, where SvelteKit's aliases do not exist).
 *
 * Imports are read with TypeScript's preProcessFile (static imports, `export … from`,
 * `import type`, dynamic `import('…')`), from the <script> blocks of .svelte files.
 */

/** Packages the shared folder may import: they run the same in browsers and Node. */
export const SHARED_PACKAGES: ReadonlySet<string> = new Set(['yjs', 'zod']);

export const SHARED_DIR = 'server/shared/';

export interface Violation {
	/** Repository-relative path of the importing file. */
	file: string;
	line: number;
	specifier: string;
	reason: string;
}

type Role = 'client' | 'server-side' | 'shared' | 'unchecked';

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);
const SCRIPT_BLOCK = /<script\b[^>]*>([\s\S]*?)<\/script>/g;

/** Whether a path under src/ (with or without its extension) runs on the server only. */
export function isServerSideSrc(rel: string): boolean {
	if (!rel.startsWith('src/')) return false;
	if (rel.startsWith('src/lib/server/') || rel.endsWith('.d.ts')) return true;
	const base = path.posix.basename(rel).replace(/\.(ts|js)$/, '');
	return base === '+server' || base.endsWith('.server');
}

export function roleOf(rel: string): Role {
	if (rel.startsWith(SHARED_DIR)) return rel.endsWith('.spec.ts') ? 'unchecked' : 'shared';
	if (!rel.startsWith('src/') || !/\.(ts|js|svelte)$/.test(rel)) return 'unchecked';
	return isServerSideSrc(rel) ? 'server-side' : 'client';
}

/** Every import specifier of a file with its line (1-based). */
export function importsOf(rel: string, text: string): Array<{ specifier: string; line: number }> {
	const chunks: Array<{ code: string; offset: number }> = [];
	if (rel.endsWith('.svelte')) {
		for (const m of text.matchAll(SCRIPT_BLOCK)) chunks.push({ code: m[1], offset: m.index! + m[0].indexOf(m[1]) });
	} else chunks.push({ code: text, offset: 0 });
	const lineAt = (pos: number) => text.slice(0, pos).split('\n').length;
	return chunks.flatMap(({ code, offset }) =>
		ts.preProcessFile(code, true, true).importedFiles.map((f) => ({ specifier: f.fileName, line: lineAt(offset + f.pos) }))
	);
}

const packageName = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Where an import specifier points: a repository-relative path, or what else it is. */
function targetOf(rel: string, spec: string): { path: string } | { framework: string } | { builtin: string } | { package: string } {
	if (spec.startsWith('.')) return { path: path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)) };
	if (spec === '$shared' || spec.startsWith('$shared/')) return { path: 'server/shared' + spec.slice('$shared'.length) };
	if (spec === '$server' || spec.startsWith('$server/')) return { path: 'server' + spec.slice('$server'.length) };
	if (spec === '$lib' || spec.startsWith('$lib/')) return { path: 'src/lib' + spec.slice('$lib'.length) };
	if (spec.startsWith('$')) return { framework: spec };
	if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(packageName(spec))) return { builtin: spec };
	return { package: packageName(spec) };
}

/** Why `spec`, imported by the file at `rel`, breaks the rules (null: it does not). */
function problem(rel: string, role: 'client' | 'shared', spec: string): string | null {
	const target = targetOf(rel, spec);
	if ('builtin' in target) return 'Node built-in module: it does not exist in the browser';
	if (role === 'client') {
		if ('framework' in target) return /^\$env\/(static|dynamic)\/private\b/.test(spec) ? 'private environment variables are server-only' : null;
		if ('package' in target) return null;
		const to = target.path;
		if (to === 'server/shared' || to.startsWith(SHARED_DIR)) return null;
		if (to === 'server' || to.startsWith('server/')) return `server-only code: client files import server code only from ${SHARED_DIR} ($shared)`;
		if (isServerSideSrc(to)) return 'a server-side file under src/';
		return null;
	}
	// Server code and tsx scripts load the shared folder outside Vite, where no alias resolves.
	if (spec.startsWith('$') || 'framework' in target) return `SvelteKit alias or module: ${SHARED_DIR} must load outside Vite too; import by relative path`;
	if ('package' in target) return SHARED_PACKAGES.has(target.package) ? null : `package not known to be browser-safe (allowed: ${[...SHARED_PACKAGES].join(', ')})`;
	return target.path.startsWith(SHARED_DIR) ? null : `outside ${SHARED_DIR}: the shared folder imports only itself`;
}

/** The rule breaks of one file, given its repository-relative path (forward slashes) and text. */
export function checkSource(rel: string, text: string): Violation[] {
	const role = roleOf(rel);
	if (role !== 'client' && role !== 'shared') return [];
	const out: Violation[] = [];
	for (const { specifier, line } of importsOf(rel, text)) {
		const reason = problem(rel, role, specifier);
		if (reason) out.push({ file: rel, line, specifier, reason });
	}
	return out;
}

function filesUnder(root: string, dir: string): string[] {
	const abs = path.join(root, dir);
	if (!fs.existsSync(abs)) return [];
	return fs
		.readdirSync(abs, { recursive: true, withFileTypes: true })
		.filter((e) => e.isFile())
		.map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The rule breaks of every client file under src/ and every file of the shared folder. */
export function checkTree(root: string): Violation[] {
	return [...filesUnder(root, 'src'), ...filesUnder(root, SHARED_DIR)].flatMap((rel) =>
		roleOf(rel) === 'unchecked' || roleOf(rel) === 'server-side' ? [] : checkSource(rel, fs.readFileSync(path.join(root, rel), 'utf8'))
	);
}

export const formatViolation = (v: Violation) => `${v.file}:${v.line}: '${v.specifier}': ${v.reason}`;
