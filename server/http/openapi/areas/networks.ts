import { z } from 'zod';
import { installationSchema } from '../../../displays/installations';
import { restoreSchema, versionNameSchema } from '../../../history/versions';
import { networkFileSchema } from '../../../networks/graph-service';
import { createInviteSchema } from '../../../networks/invites';
import { createNetworkSchema, updateNetworkSchema } from '../../../networks/networks';
import { graphSchema } from '../../../shared/graph/types';
import { operations } from '../operation';
import {
	availabilityShape,
	dateTime,
	graphShape,
	idShape,
	installationShape,
	kioskScreenShape,
	memberRoleShape,
	networkShape,
	okShape,
	roleShape,
	versionDetailShape,
	versionShape
} from '../shapes';

/** Networks, their graph, people, invites, versions, installations and files. */

const id = { id: { description: 'The network id.' } };
const editors = 'The owner and editors.';
const viewers = 'Anyone who may see the network (members; anyone for public and unlisted ones).';
const created = z.strictObject({ id: idShape, network: networkShape });

export const networkOperations = operations([
	{
		method: 'GET',
		path: '/api/networks',
		summary: 'The networks the signed-in user owns or is a member of.',
		who: 'Anyone signed in.',
		credentials: ['session'],
		responses: { 200: { description: 'Their networks.', json: z.array(networkShape) } }
	},
	{
		method: 'POST',
		path: '/api/networks',
		summary: 'Create a network.',
		who: 'Anyone signed in.',
		credentials: ['session'],
		body: createNetworkSchema,
		responses: { 201: { description: 'The new network.', json: created } }
	},
	{
		method: 'POST',
		path: '/api/networks/import',
		summary: 'Create a network from a file GET /api/networks/{id}/export wrote.',
		who: 'Anyone signed in.',
		credentials: ['session'],
		body: networkFileSchema,
		responses: { 201: { description: 'The new network.', json: created } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}',
		summary: 'A network with the caller’s role, its spend, and the keys its models miss.',
		who: viewers,
		credentials: ['session'],
		params: id,
		responses: {
			200: {
				description: 'The network.',
				json: networkShape.extend({
					spendUsd: z.number(),
					missingKeys: z.array(z.string()).describe('Platforms whose key the owner lacks (editors only; empty for others).')
				})
			}
		},
		errors: { 404: 'No such network, or one the caller may not see.' }
	},
	{
		method: 'PATCH',
		path: '/api/networks/{id}',
		summary: 'Rename, change visibility, run settings, lock, audience settings.',
		who: 'The owner and editors (name, run settings, locking); visibility, audience settings and unlocking only the owner.',
		credentials: ['session'],
		params: id,
		body: updateNetworkSchema,
		responses: { 200: { description: 'The network as changed.', json: networkShape } }
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}',
		summary: 'Delete a network with its runs.',
		who: 'The owner.',
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'Deleted.', json: okShape } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/graph',
		summary: 'The graph as JSON, with what the structure check found.',
		who: viewers,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'The graph.', json: graphShape } }
	},
	{
		method: 'PUT',
		path: '/api/networks/{id}/graph',
		summary: 'Replace the graph; applied to the live document every open canvas shows.',
		who: `${editors} Refused with 423 while the owner locked the canvas.`,
		credentials: ['session'],
		params: id,
		body: graphSchema,
		responses: { 200: { description: 'The graph as stored.', json: graphShape } },
		errors: { 423: 'The canvas is locked.' }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/availability',
		summary: 'The network’s models as its owner’s keys reach them (runs spend the owner’s keys).',
		who: 'Members.',
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'Availability.', json: availabilityShape } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/export',
		summary: 'Download the network as a panic-network file.',
		who: viewers,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'The file (Content-Disposition: attachment).', json: networkFileSchema } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/members',
		summary: 'The network’s people (email only for the owner).',
		who: 'Members.',
		credentials: ['session'],
		params: id,
		responses: {
			200: {
				description: 'Members, owner first.',
				json: z.array(z.strictObject({ userId: idShape, name: z.string(), email: z.string().optional(), role: roleShape, joinedAt: dateTime }))
			}
		}
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}/members/{userId}',
		summary: 'Remove a member (or leave, for oneself).',
		who: 'The owner; any member for themselves.',
		credentials: ['session'],
		params: { ...id, userId: { description: 'The member’s user id.' } },
		responses: { 200: { description: 'Removed.', json: okShape } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/invites',
		summary: 'The network’s invite links.',
		who: 'The owner.',
		credentials: ['session'],
		params: id,
		responses: {
			200: {
				description: 'Invites, newest first.',
				json: z.array(
					z.strictObject({ id: idShape, role: memberRoleShape, expiresAt: dateTime, revokedAt: dateTime.nullable(), uses: z.number().int(), createdAt: dateTime })
				)
			}
		}
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/invites',
		summary: 'Make an editor or viewer invite link.',
		who: 'The owner.',
		credentials: ['session'],
		params: id,
		body: createInviteSchema,
		responses: {
			201: { description: 'The link.', json: z.strictObject({ id: idShape, role: memberRoleShape, expiresAt: dateTime, url: z.string() }) }
		}
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}/invites/{inviteId}',
		summary: 'Revoke an invite link.',
		who: 'The owner.',
		credentials: ['session'],
		params: { ...id, inviteId: { description: 'The invite id.' } },
		responses: { 200: { description: 'Revoked.', json: okShape } }
	},
	{
		method: 'GET',
		path: '/api/invites/{token}',
		summary: 'What an invite link is for, before accepting it.',
		who: 'Anyone with the link.',
		credentials: [],
		params: { token: { description: 'The secret token from the invite URL.' } },
		responses: {
			200: {
				description: 'The invite.',
				json: z.strictObject({ networkId: idShape, networkName: z.string(), role: memberRoleShape, expiresAt: dateTime })
			}
		},
		errors: { 404: 'Unknown link.', 410: 'Expired or revoked.' }
	},
	{
		method: 'POST',
		path: '/api/invites/{token}',
		summary: 'Accept an invite: become a member with its role.',
		who: 'Anyone signed in with the link.',
		credentials: ['session'],
		params: { token: { description: 'The secret token from the invite URL.' } },
		responses: { 200: { description: 'The membership.', json: z.strictObject({ networkId: idShape, role: roleShape }) } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/versions',
		summary: 'The network’s saved versions, newest first.',
		who: viewers,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'Versions.', json: z.array(versionShape) } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/versions',
		summary: 'Save the live graph as a named version.',
		who: editors,
		credentials: ['session'],
		params: id,
		body: versionNameSchema,
		responses: { 201: { description: 'The version with its graph.', json: versionDetailShape } }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/versions/{versionId}',
		summary: 'One version with its graph.',
		who: viewers,
		credentials: ['session'],
		params: { ...id, versionId: { description: 'The version id.' } },
		responses: { 200: { description: 'The version.', json: versionDetailShape } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/versions/{versionId}/restore',
		summary: 'Restore a version to the live graph, after saving the graph it replaces.',
		who: `${editors} Refused with 423 while the canvas is locked.`,
		credentials: ['session'],
		params: { ...id, versionId: { description: 'The version id.' } },
		body: restoreSchema,
		bodyOptional: true,
		responses: { 200: { description: 'The version restored.', json: versionDetailShape } },
		errors: { 423: 'The canvas is locked.' }
	},
	{
		method: 'GET',
		path: '/api/networks/{id}/installations',
		summary: 'The network’s saved installations (screens for a room).',
		who: editors,
		credentials: ['session'],
		params: id,
		responses: { 200: { description: 'Installations.', json: z.array(installationShape) } }
	},
	{
		method: 'POST',
		path: '/api/networks/{id}/installations',
		summary: 'Save an installation.',
		who: editors,
		credentials: ['session'],
		params: id,
		body: installationSchema,
		responses: { 201: { description: 'The installation.', json: installationShape } }
	},
	{
		method: 'PUT',
		path: '/api/networks/{id}/installations/{installationId}',
		summary: 'Replace an installation.',
		who: editors,
		credentials: ['session'],
		params: { ...id, installationId: { description: 'The installation id.' } },
		body: installationSchema,
		responses: { 200: { description: 'The installation.', json: installationShape } }
	},
	{
		method: 'DELETE',
		path: '/api/networks/{id}/installations/{installationId}',
		summary: 'Delete an installation (its kiosk links stop working).',
		who: editors,
		credentials: ['session'],
		params: { ...id, installationId: { description: 'The installation id.' } },
		responses: { 200: { description: 'Deleted.', json: okShape } }
	},
	{
		method: 'GET',
		path: '/api/displays/{token}',
		summary: 'What a kiosk URL shows; the token is the credential.',
		who: 'Anyone holding the kiosk token (display machines sign in with nothing else).',
		credentials: [],
		params: { token: { description: 'The kiosk token from the display URL.' } },
		responses: { 200: { description: 'The screen.', json: kioskScreenShape } },
		errors: { 404: 'The display link is no longer valid.' }
	}
]);
