import type { Modality, ModelInfo } from '$shared/platforms/types';
import { platformList } from '$lib/hosted';

export type Readiness =
	| { ok: true; input: Modality; startName: string }
	| { ok: false; reason: string; input?: Modality };

/**
 * Whether a run can start from this graph, and what it takes: the start node's input decides
 * between the prompt box and a file picker. Pure, so the panel and tests share it. The
 * server validates again; this only keeps the button honest.
 */
export function startReadiness(
	graph: { nodes: Array<{ id: string; modelId: string; label?: string }>; startNodeId: string | null },
	modelOf: (id: string) => Pick<ModelInfo, 'input' | 'name'> | undefined
): Readiness {
	if (!graph.nodes.length) return { ok: false, reason: 'Add a model to the network first.' };
	if (!graph.startNodeId) return { ok: false, reason: 'No start node: select a model node and press “Mark start”.' };
	const node = graph.nodes.find((n) => n.id === graph.startNodeId);
	if (!node) return { ok: false, reason: 'The start node is gone: mark another node as start.' };
	const model = modelOf(node.modelId);
	if (!model) return { ok: false, reason: `The start node uses ${node.modelId}, which this PANIC does not know.` };
	return { ok: true, input: model.input, startName: node.label ?? model.name };
}

/**
 * What the file picker accepts for a start node that takes image or audio: the formats the
 * run API takes (PNG images, WAV sounds; it checks their magic bytes too).
 */
export const ACCEPT: Record<'image' | 'audio', string> = { image: 'image/png,.png', audio: 'audio/wav,audio/x-wav,audio/wave,.wav' };

/** The MIME type to send for a picked file, or null with the file not one the API takes. */
export function uploadMime(kind: 'image' | 'audio', file: { type: string; name: string }): 'image/png' | 'audio/wav' | null {
	const type = file.type.toLowerCase();
	const ext = file.name.toLowerCase().split('.').pop();
	if (kind === 'image') return type === 'image/png' || (!type && ext === 'png') ? 'image/png' : null;
	return ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'].includes(type) || (!type && ext === 'wav') ? 'audio/wav' : null;
}
/** Client-side guard so a huge file fails at once with a reason, not after an upload. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/**
 * Why a run cannot start for want of provider keys, or null when none is missing. The owner
 * is told to add them (the notice links to Account); editors to ask the owner.
 */
export function missingKeysReason(missing: readonly string[], isOwner: boolean): string | null {
	if (!missing.length) return null;
	const list = platformList(missing);
	const keys = `${list} ${missing.length > 1 ? 'keys' : 'key'}`;
	return isOwner
		? `This network runs ${list} models: add your ${keys} under Account before starting.`
		: `This network runs ${list} models, but its owner has no ${keys} saved: ask the owner to add ${missing.length > 1 ? 'them' : 'it'}.`;
}
