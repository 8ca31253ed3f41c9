import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { api } from '$server/http/api';

// Reaching this handler means the domain started, so migrations ran; the query proves the
// database still answers.
export const GET = api(async ({ locals }) => {
	await sql`select 1`.execute(locals.panic.db);
	return json({ ok: true });
});
