import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTree, formatViolation } from './import-rules';

/** `npm run check`'s import check: browser code imports no server code (scripts/import-rules.ts). */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const violations = checkTree(root);
for (const v of violations) console.error(formatViolation(v));
if (violations.length) {
	console.error(`check-imports: ${violations.length} import(s) of server-only code from browser or shared code`);
	process.exit(1);
}
console.log('check-imports: client code and server/shared import only browser-safe code');
