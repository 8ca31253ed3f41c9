import type { RequestHandler } from './$types';
import { parseAssetName } from '$server/assets/names';

/** `/assets/<sha256>.<ext>`: content-addressed, so the bytes behind a name never change. */
export const GET: RequestHandler = async ({ params, request, locals }) => {
	const name = parseAssetName(params.file);
	const notFound = () => new Response('Not found.', { status: 404, headers: { 'content-type': 'text/plain' } });
	if (!name) return notFound();
	const etag = `"${name.sha256}"`;
	const headers = {
		'content-type': name.mime,
		'cache-control': 'public, max-age=31536000, immutable',
		etag,
		'x-content-type-options': 'nosniff'
	};
	if (request.headers.get('if-none-match') === etag && (await locals.panic.assets.has(name.sha256, name.ext))) {
		return new Response(null, { status: 304, headers });
	}
	const bytes = await locals.panic.assets.get(name.sha256, name.ext);
	if (!bytes) return notFound();
	return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'content-length': String(bytes.byteLength) } });
};
