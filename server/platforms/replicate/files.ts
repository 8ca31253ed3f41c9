import { z } from 'zod';
import type Replicate from 'replicate';
import { PlatformError } from '../platform';
import { fileNameFor, toDataUri } from '../hosted/media';
import type { Payload } from '../../shared/platforms/types';
import { replicateErrorFrom } from './errors';

/**
 * How a payload reaches a Replicate model. Text goes as is. Files go inline as a data URI
 * while small, which saves a round trip and never hands Replicate a URL on this server (it
 * could not reach one anyway); Replicate recommends data URIs only under 1 MB
 * (replicate.com/docs/topics/predictions/input-files), so bigger files are uploaded with
 * the files API and the file's `urls.get` goes in their place. Uploaded files expire after
 * 24 hours and only the uploader's predictions can read them.
 */

/** Largest file sent inline as a data URI; anything bigger is uploaded. */
export const MAX_DATA_URI_BYTES = 1_000_000;

const fileSchema = z.object({ id: z.string().min(1), urls: z.object({ get: z.string().url() }) });

/**
 * The value for the model's input field. `client` makes a one-request client (the upload
 * must reach Replicate once: the engine owns retrying).
 */
export async function inputValue(input: Payload, options: { ref: string; client: () => Replicate; signal: AbortSignal }): Promise<string> {
	if (input.kind === 'text') return input.text;
	if (input.bytes.byteLength <= MAX_DATA_URI_BYTES) return toDataUri(input);
	const { ref, client, signal } = options;
	// A File, so the upload carries a name with the right extension and the payload's MIME type
	// (a bare Buffer would go up as application/octet-stream).
	const upload = new File([new Uint8Array(input.bytes)], fileNameFor(input), { type: input.mime });
	let answer: unknown;
	try {
		answer = await client().files.create(upload, { source: 'panic' }, { signal });
	} catch (error) {
		if (signal.aborted) throw signal.reason;
		throw replicateErrorFrom(error, { ref, call: 'upload' });
	}
	const parsed = fileSchema.safeParse(answer);
	if (!parsed.success) throw new PlatformError('Replicate gave an answer PANIC could not understand when a file was uploaded.', { kind: 'invalid_output' });
	return parsed.data.urls.get;
}
