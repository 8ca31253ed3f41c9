import { z } from 'zod';
import { AppError, badRequest, tooManyRequests } from '../../errors';
import type { ProviderConfig } from '../clients';
import type { CustomModels } from '../custom-models';
import { PlatformError } from '../platform';
import { MODALITIES, type Modality } from '../../shared/platforms/types';
import { describeReplicateModel } from './schema';
import type { ReplicateModelInfo } from './spec';

/** How long looking a model up on Replicate may take before the person is told to retry. */
const DESCRIBE_TIMEOUT_MS = 15_000;

/**
 * Adding any Replicate model by name: PANIC proposes a mapping from the model's schema, the
 * person may correct it (which field takes the payload, what comes in and out, a name),
 * and the result is saved as their model.
 */
const modality = z.enum(MODALITIES as [Modality, ...Modality[]]);

export const previewModelSchema = z.object({ ref: z.string().trim().min(3).max(200) }).strict();

export const addModelSchema = z
	.object({
		ref: z.string().trim().min(3).max(200),
		inputField: z
			.string()
			.trim()
			.regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'Input fields are names like prompt or image.')
			.optional(),
		input: modality.optional(),
		output: modality.optional(),
		name: z.string().trim().min(1).max(100).optional()
	})
	.strict();
export type AddModelBody = z.infer<typeof addModelSchema>;

/** The proposal with the person's corrections applied. */
export function withCorrections(proposal: ReplicateModelInfo, body: AddModelBody): ReplicateModelInfo {
	const output = body.output ?? proposal.output;
	const inputField = body.inputField ?? proposal.replicate.inputField;
	return {
		...proposal,
		name: body.name ?? proposal.name,
		input: body.input ?? proposal.input,
		output,
		// The payload's field is not a setting: the run fills it.
		...(proposal.params ? { params: proposal.params.filter((p) => p.key !== inputField) } : {}),
		replicate: {
			...proposal.replicate,
			inputField,
			// A person saying "it makes images" about a text model means its output is files.
			outputShape: body.output ? (output === 'text' ? 'text' : 'file') : proposal.replicate.outputShape
		}
	};
}

/** A failure looking a model up, as an HTTP error that says what to do next. */
export function describeFailure(error: unknown): unknown {
	if (!(error instanceof PlatformError)) return error;
	switch (error.kind) {
		case 'auth':
			return badRequest(`Replicate refused your key (${error.status ?? 401}). Check it under Account → Keys.`);
		case 'rate_limited':
			return tooManyRequests('Replicate is rate-limiting your key right now. Try again in a minute.', Math.ceil((error.retryAfterMs ?? 60_000) / 1000));
		case 'invalid_input':
			return badRequest(error.message);
		default:
			return new AppError(502, `Replicate could not be asked about that model just now: ${error.message} Try again in a minute.`);
	}
}

/** The add-by-name flow: look up with the person's own Replicate key, propose, correct, save. */
export class ReplicateModelAdder {
	constructor(
		private models: CustomModels,
		private revealKey: (userId: string) => Promise<string | null>,
		private config: ProviderConfig,
		private options: { fetch?: typeof fetch } = {}
	) {}

	async preview(userId: string, ref: string): Promise<ReplicateModelInfo> {
		const key = await this.revealKey(userId);
		if (!key) throw badRequest("Add your Replicate key first: PANIC reads the model's schema from Replicate with it.");
		try {
			return await describeReplicateModel(key, this.config, ref, AbortSignal.timeout(DESCRIBE_TIMEOUT_MS), this.options);
		} catch (error) {
			if (error instanceof DOMException && error.name === 'TimeoutError') {
				throw new AppError(504, 'Replicate did not answer in time. Try again in a minute.');
			}
			throw describeFailure(error);
		}
	}

	async add(userId: string, body: AddModelBody): Promise<ReplicateModelInfo> {
		const info = withCorrections(await this.preview(userId, body.ref), body);
		await this.models.save(userId, info);
		return info;
	}
}
