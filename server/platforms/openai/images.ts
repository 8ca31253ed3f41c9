import { toFile } from 'openai';
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming, ImagesResponse } from 'openai/resources/images';
import type { InvokeResult } from '../platform';
import { binaryPayload, fileNameFor } from '../hosted/media';
import { priced } from './cost';
import { invalidOutput } from './errors';
import { expectPayload, stringParam, type Call } from './inputs';

/**
 * Images out of the Images API, always as base64 in the response (GPT Image only answers
 * that way; DALL·E is asked to via `response_format`), so there is no second download and
 * no short-lived URL to chase. Edits upload the input image as a multipart file.
 */

export async function generateImage(call: Call): Promise<InvokeResult> {
	const { text } = expectPayload(call.input, 'text', call.model.name);
	const body = { ...call.params, model: call.model.openai.model, prompt: text, n: 1 } as ImageGenerateParamsNonStreaming;
	const { data, request_id } = await call.client.images.generate(body, { signal: call.signal }).withResponse();
	return imageResult(call, data, request_id ?? undefined);
}

export async function editImage(call: Call): Promise<InvokeResult> {
	const image = expectPayload(call.input, 'image', call.model.name);
	const file = await toFile(image.bytes, fileNameFor(image), { type: image.mime });
	const body = {
		...call.params,
		model: call.model.openai.model,
		prompt: stringParam(call.params, 'prompt'),
		image: file,
		n: 1
	} as ImageEditParamsNonStreaming;
	const { data, request_id } = await call.client.images.edit(body, { signal: call.signal }).withResponse();
	return imageResult(call, data, request_id ?? undefined);
}

function imageResult(call: Call, response: ImagesResponse, requestId?: string): InvokeResult {
	const encoded = response.data?.[0]?.b64_json;
	if (typeof encoded !== 'string' || encoded.length === 0) throw invalidOutput('answered with no image', requestId);
	const output = binaryPayload('image', Buffer.from(encoded, 'base64'), 'OpenAI');
	const usage = response.usage;
	return {
		output,
		requestId,
		...priced(call.model.openai.pricing, {
			imageCount: response.data?.length,
			inputTokens: usage?.input_tokens,
			imageInputTokens: usage?.input_tokens_details?.image_tokens,
			outputTokens: usage?.output_tokens
		})
	};
}
