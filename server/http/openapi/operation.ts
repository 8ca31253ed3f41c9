import type { z } from 'zod';

/**
 * One operation of the JSON API as the OpenAPI description tells it: the very zod schemas the
 * route validates its query and body with, and a schema of each success answer. Errors are the
 * shared `{ error, details? }` shape and are added to every operation by the document builder.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a caller proves who they are (OpenAPI security schemes of the same names). */
export type Credential = 'session' | 'audience' | 'kiosk';

/** A success answer: JSON with its schema, or a stream or file described by its media type. */
export type Answer =
	| { description: string; json: z.ZodType }
	| { description: string; media: 'text/event-stream' | 'text/csv' | 'application/zip' | 'application/json'; download?: boolean };

export interface Operation {
	method: Method;
	/** OpenAPI path template: `/api/networks/{id}`. */
	path: string;
	summary: string;
	/** Who may call it, in words (the page shows this). */
	who: string;
	/** Credentials it accepts; empty means anyone may call it. */
	credentials: Credential[];
	/** Path parameters, name → what it is. */
	params?: Record<string, { description: string; schema?: z.ZodType }>;
	/** The last path parameter takes slashes too (a `[...rest]` segment in the route). */
	restParam?: boolean;
	/** The schema the route validates its query string with (each property is one parameter). */
	query?: z.ZodObject;
	/** The schema the route validates its JSON body with. */
	body?: z.ZodType;
	/** The body may be left out (the route then takes defaults). */
	bodyOptional?: boolean;
	/** A non-JSON upload (run import): media type → description. */
	upload?: Record<string, string>;
	responses: Record<number, Answer>;
	/** Error statuses worth naming for this route, beyond the generic 4XX/5XX. */
	errors?: Record<number, string>;
}

/** Area modules list their operations with this, so a typo in a field is a type error. */
export const operations = (list: Operation[]): Operation[] => list;
