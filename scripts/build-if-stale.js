// Builds the production bundle when it is missing or older than the sources, so `npm start`
// works on a fresh clone and after a `git pull` without a separate build step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'build', '.built-from');
const inputs = ['src', 'server', 'migrations', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];

/** @param {string} file @returns {number} */
function newestMtime(file) {
	const stat = fs.statSync(file, { throwIfNoEntry: false });
	if (!stat) return 0;
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of fs.readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)));
	return newest;
}

export function buildIsStale() {
	const built = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
	return inputs.some((input) => newestMtime(path.join(root, input)) > built);
}

export function ensureBuild({ quiet = false } = {}) {
	if (!buildIsStale()) return;
	if (!quiet) console.log('[panic] building the app (first start or sources changed)…');
	const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
		cwd: root,
		stdio: quiet ? 'pipe' : 'inherit',
		env: { ...process.env, NODE_ENV: 'production' }
	});
	if (result.status !== 0) {
		if (quiet) process.stderr.write(result.stderr ?? '');
		throw new Error('The production build failed; see the output above.');
	}
	fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuild();
