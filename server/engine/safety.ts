import { paint } from '../platforms/local/paint';
import { sing } from '../platforms/local/sing';
import { PlatformError, type InvokeResult } from '../platforms/platform';
import type { Modality, ModelInfo, Payload } from '../shared/platforms/types';

/**
 * Safety filters: a hosted model may refuse an input (a drifting loop wanders into anything).
 * The step is retried once with a harmless fallback input of the same modality, so the loop
 * goes on from somewhere calm; a second refusal fails the step.
 */
export const SAFETY_FALLBACK_PROMPT = 'a calm meadow under a clear blue sky';

/** The fallback input for a model that takes `modality`: the prompt, or the built-in models' rendering of it. */
export async function safetyFallbackInput(modality: Modality, signal: AbortSignal): Promise<Payload> {
	const text: Payload = { kind: 'text', text: SAFETY_FALLBACK_PROMPT };
	if (modality === 'text') return text;
	return modality === 'image' ? paint.run(text, paint.info.defaults, signal) : sing.run(text, sing.info.defaults, signal);
}

/** Calls `attempt` with `input`; on a safety refusal, once more with the fallback input. */
export async function withSafetyFallback(
	model: ModelInfo,
	input: Payload,
	signal: AbortSignal,
	attempt: (input: Payload) => Promise<InvokeResult>
): Promise<InvokeResult> {
	try {
		return await attempt(input);
	} catch (error) {
		if (!(error instanceof PlatformError) || error.kind !== 'safety') throw error;
	}
	try {
		const result = await attempt(await safetyFallbackInput(model.input, signal));
		return { ...result, metrics: { ...result.metrics, safetyFallback: 1 } };
	} catch (error) {
		if (!(error instanceof PlatformError) || error.kind !== 'safety') throw error;
		throw new PlatformError(`${model.name} refused the input on safety grounds, and refused a harmless fallback too.`, {
			kind: 'safety',
			retryable: false,
			requestId: error.requestId,
			cause: error
		});
	}
}
