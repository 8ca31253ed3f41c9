/**
 * OpenAPI schemas shaped like the ones real Cog models publish on Replicate (trimmed to
 * the fields that matter), for the fake's models and for schema-inference tests. Cog
 * writes enums as `allOf: [{ $ref }]` into `components.schemas`, and token streams as
 * `x-cog-array-type: iterator`; these keep both habits.
 */

type Properties = Record<string, Record<string, unknown>>;

/** A version's `openapi_schema` with the given Input properties and Output. */
export function cogSchema(input: Properties, required: string[], output: Record<string, unknown>, enums: Record<string, string[]> = {}) {
	let order = 0;
	const properties = Object.fromEntries(Object.entries(input).map(([name, s]) => [name, { title: title(name), 'x-order': order++, ...s }]));
	const enumSchemas = Object.fromEntries(
		Object.entries(enums).map(([name, values]) => [name, { title: name, description: 'An enumeration.', enum: values, type: 'string' }])
	);
	return {
		openapi: '3.0.2',
		info: { title: 'Cog', version: '0.1.0' },
		components: {
			schemas: {
				Input: { type: 'object', title: 'Input', required, properties },
				Output: { title: 'Output', ...output },
				...enumSchemas
			}
		}
	};
}

function title(name: string): string {
	return name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const uri = { type: 'string', format: 'uri' };
const enumRef = (name: string, value: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: value });

export const FLUX_SCHNELL_SCHEMA = cogSchema(
	{
		prompt: { type: 'string', description: 'Prompt for generated image' },
		num_outputs: { type: 'integer', default: 1, minimum: 1, maximum: 4 },
		output_format: { ...enumRef('output_format', 'webp'), description: 'Format of the output images' },
		go_fast: { type: 'boolean', default: true }
	},
	['prompt'],
	{ type: 'array', items: uri },
	{ output_format: ['webp', 'jpg', 'png'] }
);

export const LLAVA_SCHEMA = cogSchema(
	{
		image: { ...uri, description: 'Input image' },
		prompt: { type: 'string', description: 'Prompt to use for text generation' },
		top_p: { type: 'number', default: 1 },
		max_tokens: { type: 'integer', default: 1024 }
	},
	['image', 'prompt'],
	{ type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator', 'x-cog-array-display': 'concatenate' }
);

export const WHISPER_SCHEMA = cogSchema(
	{
		audio: { ...uri, description: 'Audio file' },
		transcription: { ...enumRef('transcription', 'plain text'), description: 'Choose the format for the transcription' },
		translate: { type: 'boolean', default: false }
	},
	['audio'],
	{
		type: 'object',
		properties: {
			segments: { title: 'Segments' },
			srt_file: { ...uri, title: 'Srt File' },
			txt_file: { ...uri, title: 'Txt File' },
			translation: { type: 'string', title: 'Translation' },
			transcription: { type: 'string', title: 'Transcription' },
			detected_language: { type: 'string', title: 'Detected Language' }
		}
	},
	{ transcription: ['plain text', 'srt', 'vtt'] }
);

export const MUSICGEN_SCHEMA = cogSchema(
	{
		prompt: { type: 'string', description: 'A description of the music you want to generate.' },
		input_audio: { ...uri, description: 'An audio file that will influence the generated music.' },
		duration: { type: 'integer', default: 8 },
		output_format: { ...enumRef('output_format', 'wav'), description: 'Output format for generated audio.' }
	},
	[],
	{ ...uri },
	{ output_format: ['wav', 'mp3'] }
);

export const BARK_SCHEMA = cogSchema(
	{ prompt: { type: 'string', default: 'Hello, my name is Suno.' }, text_temp: { type: 'number', default: 0.7 } },
	[],
	{ type: 'object', properties: { audio_out: { ...uri, title: 'Audio Out' }, prompt_npz: { ...uri, title: 'Prompt Npz' } } }
);

/** A video model: a prompt in, an mp4 out; nothing PANIC can wire. */
export const VIDEO_SCHEMA = cogSchema(
	{ prompt: { type: 'string' }, output_format: enumRef('output_format', 'mp4') },
	['prompt'],
	{ ...uri },
	{ output_format: ['mp4', 'webm'] }
);

/** Tabular in, number out: nothing fits. */
export const UNUSABLE_SCHEMA = cogSchema({ rows: { type: 'integer' } }, ['rows'], { type: 'number' });

export const textToImageSchema = (field = 'prompt') => cogSchema({ [field]: { type: 'string' } }, [field], { type: 'array', items: uri });
export const imageToTextSchema = (prompt: boolean) =>
	cogSchema({ image: uri, ...(prompt ? { prompt: { type: 'string' } } : {}) }, ['image'], { type: 'array', items: { type: 'string' }, 'x-cog-array-type': 'iterator' });
