import type { ModelAvailability, ModelInfo } from './types';

/**
 * Availability as pages and the API show it, and the wording shared by the server's preflight
 * and the canvas. Browser-safe: types and pure functions only.
 */

/** How the last check of one platform went, for "checked 3 h ago · Check now". */
export interface PlatformCheck {
	/** When the provider was last asked (ISO). */
	checkedAt?: string;
	/** "could not check: …" when that failed; its models are then unchecked. */
	error?: string;
	/** A check is under way now (pages look again shortly). */
	checking?: boolean;
	/** Whether this platform can be checked for this user at all (has the check, and a key if it needs one). */
	canCheck: boolean;
	/** This server has no way to ask the platform (its models stay unchecked whatever the key). */
	cannotAsk?: boolean;
}

export interface AvailabilityView {
	/** Model id → its state; models not listed are unchecked. */
	models: Record<string, ModelAvailability>;
	/** Platform id → how its last check went (platforms that can be checked, or were). */
	platforms: Record<string, PlatformCheck>;
}

export const EMPTY_AVAILABILITY: AvailabilityView = { models: {}, platforms: {} };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a model is gone without asking anyone: its announced shutdown date has come. */
export function retiredReason(model: Pick<ModelInfo, 'retires'>, now: number): string | undefined {
	if (!model.retires) return undefined;
	const at = Date.parse(model.retires);
	return Number.isFinite(at) && at <= now ? `shut down on ${model.retires}` : undefined;
}

/**
 * Whether the palette offers a model: not deprecated, and its announced shutdown date (if any)
 * has not come. A model past its date drops out on that day without anyone editing the catalogue.
 */
export function isOffered(model: Pick<ModelInfo, 'deprecated' | 'retires'>, now = Date.now()): boolean {
	return !model.deprecated && !retiredReason(model, now);
}

/** Whether an announced shutdown is close enough to warn about (the palette's "ends <date>"). */
export function retiresSoon(model: Pick<ModelInfo, 'retires'>, now: number, days = 60): boolean {
	if (!model.retires) return false;
	const at = Date.parse(model.retires);
	return Number.isFinite(at) && at > now && at - now <= days * DAY_MS;
}

/** A model's state in a view (unchecked when the view does not list it). */
export function availabilityOf(view: AvailabilityView | undefined, modelId: string): ModelAvailability {
	return view?.models[modelId] ?? { state: 'unchecked' };
}

/** One sentence per model: "GPT Image 1 (openai/gpt-image-1) is not available: <reason>." */
export function unavailableMessage(models: ReadonlyArray<{ id: string; name: string; reason: string }>): string {
	return models.map((m) => `${m.name} (${m.id}) is not available: ${sentence(m.reason)}`).join(' ');
}

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
