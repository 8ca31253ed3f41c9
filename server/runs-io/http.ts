import { AppError } from '../errors';
import { readBytes } from '../http/body';
import type { ExportDownload } from './runs-io';

/** An export as a file download (streamed, never cached: a run may still be growing). */
export function download(file: ExportDownload): Response {
	return new Response(file.body, {
		headers: {
			'content-type': file.contentType,
			'content-disposition': `attachment; filename="${file.filename}"`,
			'cache-control': 'no-store'
		}
	});
}

const UPLOAD_TYPES = /^(application\/(zip|x-zip-compressed|octet-stream|json)|application\/[\w.+-]+\+json)\b/i;

/**
 * The raw bytes of an upload within `maxBytes` (counted as they arrive). The type must say
 * ZIP, JSON or octet-stream: none of these can be sent cross-site without a CORS preflight.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Uint8Array> {
	const type = request.headers.get('content-type') ?? '';
	if (!UPLOAD_TYPES.test(type)) {
		throw new AppError(415, 'Send the run export as the request body, with Content-Type: application/zip (or application/json for run.json).');
	}
	return readBytes(request, maxBytes, `The upload is larger than ${Math.round(maxBytes / (1024 * 1024))} MB.`);
}
