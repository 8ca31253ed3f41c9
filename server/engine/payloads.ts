import type { AssetStore } from '../assets/store';
import { assetUrl } from '../assets/names';
import type { StoredPayload } from '../db/schema';
import type { Payload } from '../shared/platforms/types';

/**
 * Payloads in memory (bytes) and as stored (asset references). Binaries go to the asset
 * store once and travel as `{ sha256, mime, ext }` through the database and the feed.
 */
export async function storePayload(payload: Payload, assets: AssetStore): Promise<StoredPayload> {
	if (payload.kind === 'text') return { kind: 'text', text: payload.text };
	const { sha256, mime, ext } = await assets.put(payload.bytes, payload.mime);
	return { kind: payload.kind, asset: { sha256, mime, ext } };
}

export async function loadPayload(stored: StoredPayload, assets: AssetStore): Promise<Payload> {
	if (stored.kind === 'text') return { kind: 'text', text: stored.text };
	const bytes = await assets.get(stored.asset.sha256);
	if (!bytes) throw new Error(`Asset ${stored.asset.sha256} is missing from the asset store.`);
	return { kind: stored.kind, bytes, mime: stored.asset.mime } as Payload;
}

/** What a card or the run map shows of a payload: its text, or the asset's URL. */
export function payloadView(stored: StoredPayload): { kind: StoredPayload['kind']; text?: string; url?: string } {
	return stored.kind === 'text' ? { kind: 'text', text: stored.text } : { kind: stored.kind, url: assetUrl(stored.asset) };
}
