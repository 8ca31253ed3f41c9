/**
 * What the real OpenAI API serves, for every model id PANIC names (catalogue entries old and
 * new, and embedders), kept beside the catalogue so the two can be checked against each
 * other: a contract test fails when the catalogue names a model outside this table, and the
 * fake OpenAI (tests/fakes/fake-openai.ts) serves exactly what is listed here, answering a
 * retired or unknown model the way OpenAI does.
 *
 * Read from OpenAI's model pages, deprecations page and guides, and the openai-node 6.49 types,
 * as gathered in the issue 12 research (2026-12-06); no live call was made. Where a fact is
 * only third-party (3P) or unconfirmed (U), the entry says so. The availability check
 * (availability.ts) uses the dates here to say when a model a key no longer sees shut down.
 */

/** The API routes PANIC calls models on. */
export type OpenAIRoute =
	| '/v1/chat/completions'
	| '/v1/images/generations'
	| '/v1/images/edits'
	| '/v1/audio/transcriptions'
	| '/v1/audio/speech'
	| '/v1/embeddings';

/** A model the API serves today. */
export interface ServedModel {
	id: string;
	routes: readonly OpenAIRoute[];
	/** Announced shutdown date (YYYY-MM-DD), as `shutdown_date` in GET /v1/models shows it. */
	shutdownDate?: string;
	/** Parameters the API answers 400 to when sent for this model. */
	refuses?: readonly string[];
	/** For some parameters, the only values the API takes (anything else is a 400). */
	accepts?: Readonly<Record<string, readonly string[]>>;
	source: string;
}

/** A model the API no longer serves: calling it answers 404 `model_not_found`. */
export interface RetiredModel {
	id: string;
	/** When it was shut down (YYYY-MM-DD). */
	shutDown: string;
	/** OpenAI's `error.message` when it is named now. */
	message: string;
	source: string;
}

const DEPRECATIONS = 'https://developers.openai.com/api/docs/deprecations';
/** The message OpenAI gives for a shut-down model (seen for dall-e-3, 3P; assumed the same for the others). */
const deprecated = (id: string) => `The model \`${id}\` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations`;

/** GPT Image 2.x: any of these sizes (arbitrary WxH is also taken, but PANIC offers only these). */
const GPT_IMAGE_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];

export const OPENAI_SERVED: readonly ServedModel[] = [
	{
		id: 'gpt-6-luna',
		routes: ['/v1/chat/completions'],
		// U: whether gpt-6-luna refuses `temperature` is not confirmed (GPT-5.6 reportedly requires 1);
		// PANIC never sends it, and the fake refuses it so a test notices if it ever does.
		refuses: ['temperature'],
		accepts: { reasoning_effort: ['none', 'low', 'medium', 'high', 'xhigh', 'max'] },
		source: 'https://developers.openai.com/api/docs/models/gpt-6-luna (2026-12-06)'
	},
	{
		id: 'gpt-image-2.6-flare',
		routes: ['/v1/images/generations', '/v1/images/edits'],
		// GPT image models always answer base64 and take no `response_format`; `style` is DALL·E 3's only.
		refuses: ['response_format', 'style'],
		accepts: { quality: ['low', 'medium', 'high', 'xhigh', 'max', 'auto'], size: GPT_IMAGE_SIZES, output_format: ['png', 'jpeg', 'webp', 'gif', 'svg'] },
		source: 'https://developers.openai.com/api/docs/guides/image-prompting?model=gpt-image-2.6 (C); quality values 3P (apidog.com, 2026-11-05)'
	},
	{
		id: 'gpt-transcribe',
		routes: ['/v1/audio/transcriptions'],
		source: 'https://developers.openai.com/api/docs/models/gpt-transcribe (2026-12-06)'
	},
	{
		id: 'text-embedding-3-small',
		routes: ['/v1/embeddings'],
		source: 'catalogue value; no shutdown found in any source read (U, 2026-12-06)'
	},
	{
		id: 'gpt-4o-mini-tts',
		routes: ['/v1/audio/speech'],
		shutdownDate: '2027-01-06',
		source: 'https://developers.openai.com/api/docs/guides/text-to-speech (2026-12-06)'
	},
	{
		id: 'tts-1',
		routes: ['/v1/audio/speech'],
		shutdownDate: '2027-01-06',
		// Documented as not working with tts-1; whether the API errors or ignores it is U. The fake
		// refuses it so a test notices PANIC sending it.
		refuses: ['instructions'],
		source: 'https://developers.openai.com/api/docs/guides/text-to-speech (2026-12-06)'
	},
	{
		id: 'gpt-4o-mini',
		routes: ['/v1/chat/completions'],
		shutdownDate: '2027-01-14',
		source: '3P: dev.to/max_bob "OpenAI API deprecations 2026-2027" (matched GET /v1/models on 2026-10-27)'
	},
	{
		id: 'gpt-4.1-mini',
		routes: ['/v1/chat/completions'],
		shutdownDate: '2027-01-14',
		source: '3P: dev.to/max_bob "OpenAI API deprecations 2026-2027" (2026-10-27)'
	},
	{
		id: 'whisper-1',
		routes: ['/v1/audio/transcriptions'],
		shutdownDate: '2027-02-26',
		source: '3P: developersdigest.tech whisper-1 / gpt-4o-transcribe deprecation (2026-08-26)'
	},
	{
		id: 'gpt-4o-mini-transcribe',
		routes: ['/v1/audio/transcriptions'],
		shutdownDate: '2027-02-26',
		source: '3P: developersdigest.tech whisper-1 / gpt-4o-transcribe deprecation (2026-08-26)'
	}
];

export const OPENAI_RETIRED: readonly RetiredModel[] = [
	{ id: 'dall-e-3', shutDown: '2026-05-12', message: deprecated('dall-e-3'), source: 'https://developers.openai.com/api/docs/models/dall-e-3 (C); date 3P' },
	{ id: 'dall-e-2', shutDown: '2026-05-12', message: deprecated('dall-e-2'), source: 'date 3P (dev.to/flarecanary)' },
	{ id: 'gpt-image-1', shutDown: '2026-10-23', message: deprecated('gpt-image-1'), source: 'https://developers.openai.com/ja-JP/api/docs/models/gpt-image-1' },
	{ id: 'gpt-image-1-mini', shutDown: '2026-12-01', message: deprecated('gpt-image-1-mini'), source: DEPRECATIONS },
	{ id: 'gpt-image-1.5', shutDown: '2026-12-01', message: deprecated('gpt-image-1.5'), source: DEPRECATIONS }
];

export function servedModel(id: string): ServedModel | undefined {
	return OPENAI_SERVED.find((m) => m.id === id);
}

export function retiredModel(id: string): RetiredModel | undefined {
	return OPENAI_RETIRED.find((m) => m.id === id);
}

/** OpenAI's `error.message` for a model id it does not know (or will not show this key). */
export function unknownModelMessage(id: string): string {
	return `The model \`${id}\` does not exist or you do not have access to it.`;
}

/** The shutdown date this table knows for a model id, served (announced) or retired (past). */
export function knownShutdownDate(id: string): string | undefined {
	return retiredModel(id)?.shutDown ?? servedModel(id)?.shutdownDate;
}
