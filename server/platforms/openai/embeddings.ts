import type OpenAI from 'openai';
import type { EmbedResult } from '../platform';
import type { Payload } from '../../shared/platforms/types';
import { priced } from './cost';
import { invalidOutput } from './errors';
import { expectPayload } from './inputs';
import type { OpenAIEmbedderInfo } from './models';

/**
 * A text embedding for loop analysis. Floats are asked for explicitly: left alone, the
 * library asks for base64 and decodes it itself, which hides a malformed answer.
 */
export async function embedText(client: OpenAI, embedder: OpenAIEmbedderInfo, input: Payload, signal: AbortSignal): Promise<EmbedResult> {
	const { text } = expectPayload(input, 'text', embedder.name);
	const { data, request_id } = await client.embeddings
		.create({ model: embedder.openai.model, input: text, encoding_format: 'float' }, { signal })
		.withResponse();
	const requestId = request_id ?? undefined;
	const vector = data.data?.[0]?.embedding;
	if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
		throw invalidOutput('answered with no usable embedding', requestId);
	}
	return { vector, requestId, ...priced(embedder.openai.pricing, { inputTokens: data.usage?.prompt_tokens }) };
}
