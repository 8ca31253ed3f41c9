/**
 * Asset file names: `<sha256>.<ext>`, with the extension fixed by the MIME type. Kept pure
 * and strict, since the route turns a URL segment into a file path with them.
 */
export const MIME_BY_EXT = {
	png: 'image/png',
	jpg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	wav: 'audio/wav',
	mp3: 'audio/mpeg',
	ogg: 'audio/ogg',
	flac: 'audio/flac'
} as const;

export type AssetExt = keyof typeof MIME_BY_EXT;

const EXT_BY_MIME: Record<string, AssetExt> = {
	...Object.fromEntries(Object.entries(MIME_BY_EXT).map(([ext, mime]) => [mime, ext as AssetExt])),
	// Aliases providers send for the same formats.
	'image/jpg': 'jpg',
	'audio/x-wav': 'wav',
	'audio/wave': 'wav',
	'audio/mp3': 'mp3'
};

/** The extension for a MIME type (parameters ignored), or null when it is not one we store. */
export function extForMime(mime: string): AssetExt | null {
	return EXT_BY_MIME[mime.split(';')[0].trim().toLowerCase()] ?? null;
}

export const isSha256 = (value: string) => /^[0-9a-f]{64}$/.test(value);

/** Parses `/assets/<file>`'s file segment: 64 lower-case hex digits, a dot, a known extension. */
export function parseAssetName(file: string): { sha256: string; ext: AssetExt; mime: string } | null {
	const match = /^([0-9a-f]{64})\.([a-z0-9]{2,4})$/.exec(file);
	if (!match || !Object.hasOwn(MIME_BY_EXT, match[2])) return null;
	const ext = match[2] as AssetExt;
	return { sha256: match[1], ext, mime: MIME_BY_EXT[ext] };
}

export const assetUrl = (ref: { sha256: string; ext: string }) => `/assets/${ref.sha256}.${ref.ext}`;
