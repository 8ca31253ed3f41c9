import { z } from 'zod';
import { feedQuerySchema, promptSchema, rejectPromptSchema, removeAudienceSchema } from '../../request-schemas';
import { operations } from '../operation';
import { dateTime, idShape, joinCodeShape, okShape, promptShape } from '../shapes';

/** Audience participation: join codes, the prompt queue, who is in the room, the live feed. */

const id = { id: { description: 'The network id.' } };
const facilitators = 'The owner and editors (facilitators).';
const promptId = { ...id, promptId: { description: 'The prompt id.' } };

export const audienceOperations = operations([
	{
		method: 'POST',
		path: '/api/networks/{id}/join-codes',
		summary: 'Mint a fresh join code for the projector.',
		who: facilitators,
		credentials: ['session'],
		params: id,
		responses: { 201: { description: 'The code and the link phones open.', json: joinCodeShape } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/join-codes/current',
		summary: 'The code the projector shows now (minted when the last one is due to rotate).',
		who: facilitators,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'The current code (Cache-Control: no-store).', json: joinCodeShape } }
	},
	{
		method: 'POST',
		path: '/api/join/{code}',
		summary: 'Join a network’s audience with a code (sets the audience cookie).',
		who: 'Anyone with a live code; no account needed.',
		credentials: [],
		params: { code: { description: 'The join code the projector shows.' } },
		responses: {
			200: { description: 'The audience session.', json: z.strictObject({ networkId: idShape, label: z.string(), expiresAt: dateTime }) }
		},
		errors: { 404: 'Unknown code.', 410: 'Expired or revoked code.', 403: 'Removed by a facilitator.', 429: 'Too many joins at once.' }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/audience',
		summary: 'Who is in the audience: live count, open streams, the newest 200 sessions.',
		who: facilitators,
		credentials: ['session'],
		params: id,
		responses: {
			200: {
				description: 'Presence.',
				json: z.strictObject({
					count: z.number().int(),
					streams: z.number().int(),
					sessions: z.array(
						z.strictObject({ id: idShape, label: z.string(), createdAt: dateTime, lastSeenAt: dateTime, revoked: z.boolean(), prompts: z.number().int() })
					)
				})
			}
		}
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}/audience/{sessionId}',
		summary: 'Remove one audience member: their prompts are dropped, their streams closed.',
		who: facilitators,
		credentials: ['session'],
		params: { ...id, sessionId: { description: 'The audience session id.' } },
		responses: { 200: { description: 'Removed.', json: okShape } },
		errors: { 404: 'No such audience session.' }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/audience/remove',
		summary: 'Remove many audience members in one action; ids that are not live sessions are skipped.',
		who: facilitators,
		credentials: ['session'],
		params: id,
		body: removeAudienceSchema,
		responses: {
			200: { description: 'How many were removed and how many prompts dropped.', json: z.strictObject({ removed: z.number().int(), prompts: z.number().int() }) }
		}
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/end-event',
		summary: 'End the event: revoke codes and audience sessions, drop waiting prompts.',
		who: facilitators,
		credentials: ['session'],
		params: id,
		responses: {
			200: {
				description: 'What was ended.',
				json: z.strictObject({ ok: z.literal(true), codes: z.number().int(), sessions: z.number().int(), prompts: z.number().int() })
			}
		}
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/prompts',
		summary: 'The prompt queue: all of it for facilitators, one’s own prompts for anyone else.',
		who: 'Facilitators; audience members of the network and other prompters (their own).',
		credentials: ['session', 'audience'],
		params: id,
		responses: {
			200: {
				description: 'Facilitators get { mode, waiting, recent }; others { prompts }.',
				json: z.union([
					z.strictObject({ mode: z.enum(['auto', 'moderated']), waiting: z.array(promptShape), recent: z.array(promptShape) }),
					z.strictObject({ prompts: z.array(promptShape) })
				])
			}
		}
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/prompts',
		summary: 'Send a prompt into the queue.',
		who: 'Audience members of the network, the owner and editors.',
		credentials: ['session', 'audience'],
		params: id,
		body: promptSchema,
		responses: {
			201: {
				description: 'The prompt’s place in the queue.',
				json: z.strictObject({ id: idShape, status: promptShape.shape.status, position: z.number().int() })
			}
		},
		errors: { 429: 'Sending too fast, or the queue is full.' }
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}/prompts/{promptId}',
		summary: 'Withdraw one’s own prompt before it starts.',
		who: 'Its sender.',
		credentials: ['session', 'audience'],
		params: promptId,
		responses: { 200: { description: 'The prompt, withdrawn.', json: promptShape } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/prompts/{promptId}/approve',
		summary: 'Approve a queued prompt (moderated mode); approved prompts start in order.',
		who: facilitators,
		credentials: ['session'],
		params: promptId,
		responses: { 200: { description: 'The prompt, approved.', json: promptShape } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/prompts/{promptId}/reject',
		summary: 'Reject a waiting prompt, with an optional reason its sender sees.',
		who: facilitators,
		credentials: ['session'],
		params: promptId,
		body: rejectPromptSchema,
		bodyOptional: true,
		responses: { 200: { description: 'The prompt, rejected.', json: promptShape } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/prompts/clear',
		summary: 'Drop every waiting prompt.',
		who: facilitators,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'How many were dropped.', json: z.strictObject({ dropped: z.number().int() }) } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/feed',
		summary: 'The live feed as Server-Sent Events (snapshot, card, run, queue, closed).',
		who: 'Anyone who may see the network, its audience sessions, and its installations’ kiosk screens (?kiosk=<token>).',
		credentials: ['session', 'audience', 'kiosk'],
		params: id,
		query: feedQuerySchema,
		responses: { 200: { description: 'An event stream.', media: 'text/event-stream' } }
	}
]);
