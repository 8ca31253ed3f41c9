import { json } from '@sveltejs/kit';
import { api } from '$server/http/api';

// Downloads the network as a file that POST /api/networks/import (or the Networks page) takes back.
export const GET = api(async (event) => {
	const file = await event.locals.panic.graphs.exportFile(event.params.id, event.locals.user);
	const filename = `${file.name.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'network'}.panic.json`;
	return json(file, { headers: { 'content-disposition': `attachment; filename="${filename}"` } });
});
