import { call } from '$lib/feed/run-api';
import type { Modality } from '$shared/platforms/types';

/** What `POST /api/me/models/preview` proposes for a Replicate model (the fields the form shows). */
export interface Proposal {
	id: string;
	name: string;
	input: Modality;
	output: Modality;
	description: string;
	homepage: string;
	pricing?: string;
	replicate?: { inputField?: string };
}

/** The person's corrections; only fields that differ from the proposal are sent. */
export interface Corrections {
	name?: string;
	input?: Modality;
	output?: Modality;
	inputField?: string;
}

type Fetch = typeof fetch;

export const previewModel = (ref: string, fetcher: Fetch = fetch) => call<Proposal>(fetcher, 'POST', '/api/me/models/preview', { ref });

export const addModel = (ref: string, corrections: Corrections, fetcher: Fetch = fetch) =>
	call<Proposal>(fetcher, 'POST', '/api/me/models', { ref, ...corrections });

/** Ids keep their slashes in the path (`/api/me/models/replicate/owner/name`). */
export const removeModel = (id: string, fetcher: Fetch = fetch) =>
	call<unknown>(fetcher, 'DELETE', `/api/me/models/${id.split('/').map(encodeURIComponent).join('/')}`);

/** The corrections that differ from the proposal (trimmed; blank means "keep"). */
export function correctionsOf(proposal: Proposal, form: Required<Corrections>): Corrections {
	const out: Corrections = {};
	const name = form.name.trim();
	const field = form.inputField.trim();
	if (name && name !== proposal.name) out.name = name;
	if (form.input !== proposal.input) out.input = form.input;
	if (form.output !== proposal.output) out.output = form.output;
	if (field && field !== proposal.replicate?.inputField) out.inputField = field;
	return out;
}
