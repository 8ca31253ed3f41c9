import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkSource, checkTree, formatViolation, roleOf } from '../scripts/import-rules';

const root = path.resolve(import.meta.dirname, '..');
const specifiers = (rel: string, text: string) => checkSource(rel, text).map((v) => v.specifier);

describe('browser-safe imports', () => {
	test('client code under src/ and the shared folder import no server-only code', () => {
		expect(checkTree(root).map(formatViolation)).toEqual([]);
	});

	test('a client file importing server code is caught, by alias or by relative path, type-only too', () => {
		const svelte = `<script lang="ts">
	import { CLOSE } from '$shared/sync/close-codes';
	import { engine } from '$server/engine/engine';
	import type { Panic } from '$server/app';
	import { x } from '../../../server/db/connect';
</script>
<p>import { nope } from '$server/not-code'; is text, not an import</p>`;
		const found = checkSource('src/lib/editor/Planted.svelte', svelte);
		expect(found.map((v) => [v.specifier, v.line])).toEqual([
			['$server/engine/engine', 3],
			['$server/app', 4],
			['../../../server/db/connect', 5]
		]);
		expect(specifiers('src/lib/feed/planted.ts', `export { cardsOf } from '$server/engine/feed';\nconst m = await import('$server/errors');`)).toEqual([
			'$server/engine/feed',
			'$server/errors'
		]);
	});

	test('a client file may not import server-side src files, private env or Node built-ins', () => {
		const ts = `import { loadAnalysis } from '$lib/analysis/load.server';
import { x } from '$lib/server/form';
import { SECRET } from '$env/static/private';
import fs from 'node:fs';
import path from 'path';
import { page } from '$app/state';
import * as Y from 'yjs';
import { GRAPH_LIMITS } from '$shared/graph/limits';
import { isLive } from './types';
// import { commented } from '$server/app';`;
		expect(specifiers('src/lib/feed/planted.ts', ts)).toEqual(['$lib/analysis/load.server', '$lib/server/form', '$env/static/private', 'node:fs', 'path']);
	});

	test('server-side files under src/ may import server code', () => {
		const ts = `import type { Panic } from '$server/app';\nimport { api } from '$server/http/api';`;
		for (const rel of ['src/app.d.ts', 'src/hooks.server.ts', 'src/routes/api/x/+server.ts', 'src/routes/x/+page.server.ts', 'src/lib/analysis/load.server.ts', 'src/lib/server/form.ts']) {
			expect(roleOf(rel)).toBe('server-side');
			expect(checkSource(rel, ts)).toEqual([]);
		}
		expect(roleOf('src/routes/x/+page.ts')).toBe('client');
		expect(roleOf('src/lib/editor/Editor.svelte')).toBe('client');
	});

	test('the shared folder imports only itself and browser-safe packages', () => {
		const ts = `import { z } from 'zod';
import * as Y from 'yjs';
import type { Modality } from '../platforms/types';
import type { Db } from '../../db/connect';
import { createHash } from 'node:crypto';
import { Kysely } from 'kysely';
import { x } from '$lib/feed/types';
import { y } from '$shared/graph/limits';
import { page } from '$app/state';`;
		expect(specifiers('server/shared/graph/planted.ts', ts)).toEqual(['../../db/connect', 'node:crypto', 'kysely', '$lib/feed/types', '$shared/graph/limits', '$app/state']);
	});
});
