import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ReasoningEffort } from 'openai/resources/shared';
import type { InvokeResult } from '../platform';
import { toDataUri } from '../hosted/media';
import { priced } from './cost';
import { invalidOutput, refused } from './errors';
import { expectPayload, stringParam, type Call } from './inputs';

/**
 * Text out of chat completions: text → text under a system prompt, and image → text by
 * sending the image inline as a data URI (PANIC's assets are not reachable from OpenAI,
 * and no asset URL should leave the server).
 */

export async function chat(call: Call): Promise<InvokeResult> {
	const { text } = expectPayload(call.input, 'text', call.model.name);
	return complete(call, [
		{ role: 'system', content: stringParam(call.params, 'system') },
		{ role: 'user', content: text }
	]);
}

export async function describeImage(call: Call): Promise<InvokeResult> {
	const image = expectPayload(call.input, 'image', call.model.name);
	const detail = call.params.detail as 'low' | 'high' | 'auto' | undefined;
	return complete(call, [
		{
			role: 'user',
			content: [
				{ type: 'text', text: stringParam(call.params, 'prompt') },
				{ type: 'image_url', image_url: { url: toDataUri(image), detail } }
			]
		}
	]);
}

async function complete(call: Call, messages: ChatCompletionMessageParam[]): Promise<InvokeResult> {
	// Only the API's own keys: `system`, `prompt` and `detail` went into the messages. Keys a model
	// does not take (temperature for GPT-6) are absent from its params, so they are never sent.
	const { temperature, max_completion_tokens, reasoning_effort } = call.params as {
		temperature?: number;
		max_completion_tokens?: number;
		reasoning_effort?: ReasoningEffort;
	};
	const body: ChatCompletionCreateParamsNonStreaming = { model: call.model.openai.model, messages, temperature, max_completion_tokens, reasoning_effort };
	const { data, request_id } = await call.client.chat.completions.create(body, { signal: call.signal }).withResponse();
	const requestId = request_id ?? undefined;
	return { output: { kind: 'text', text: answerOf(data, requestId) }, requestId, ...usageOf(call, data) };
}

function answerOf(completion: ChatCompletion, requestId?: string): string {
	const choice = completion.choices?.[0];
	if (!choice) throw invalidOutput('answered with no choices', requestId);
	if (choice.message?.refusal || choice.finish_reason === 'content_filter') throw refused(requestId);
	const text = typeof choice.message?.content === 'string' ? choice.message.content.trim() : '';
	if (!text) throw invalidOutput('answered with empty text', requestId);
	return text;
}

function usageOf(call: Call, completion: ChatCompletion) {
	const usage = completion.usage;
	return priced(call.model.openai.pricing, { inputTokens: usage?.prompt_tokens, outputTokens: usage?.completion_tokens });
}
