import { z } from 'zod';
import { signupSchema } from '../../../auth/accounts';
import { keyBodySchema, platformSchema } from '../../../keys/provider-keys';
import { addModelSchema, previewModelSchema } from '../../../platforms/replicate/custom';
import { availabilityCheckSchema, loginSchema, siteSettingsSchema, updateMeSchema } from '../../request-schemas';
import { operations } from '../operation';
import { accountShape, availabilityShape, dateTime, modelShape, okShape } from '../shapes';

/** Accounts, the signed-in user's keys, models and availability, and site settings. */

const userAnswer = z.strictObject({ user: accountShape });
const keyShape = z.strictObject({ platform: platformSchema, last4: z.string(), updatedAt: dateTime });
const platformParam = { platform: { description: 'A hosted platform: replicate, openai or huggingface.', schema: platformSchema } };
const signedIn = 'Anyone signed in (about their own account).';

export const accountOperations = operations([
	{
		method: 'POST',
		path: '/api/auth/signup',
		summary: 'Create an account and sign in (sets the session cookie).',
		who: 'Anyone, while sign-up is open.',
		credentials: [],
		body: signupSchema,
		responses: { 201: { description: 'The new account.', json: userAnswer } },
		errors: { 403: 'Sign-up is closed.', 409: 'The email is taken.', 429: 'Too many sign-ups from this address.' }
	},
	{
		method: 'POST',
		path: '/api/auth/login',
		summary: 'Sign in (sets the session cookie).',
		who: 'Anyone.',
		credentials: [],
		body: loginSchema,
		responses: { 200: { description: 'The account signed in.', json: userAnswer } },
		errors: { 400: 'Wrong email or password.', 429: 'Too many attempts; retryAfterSeconds in details.' }
	},
	{
		method: 'POST',
		path: '/api/auth/logout',
		summary: 'Sign out: the session ends and its cookie is cleared.',
		who: 'Anyone (signed in or not).',
		credentials: ['session'],
		responses: { 200: { description: 'Signed out.', json: okShape } }
	},
	{
		method: 'GET',
		path: '/api/me',
		summary: 'The signed-in account and when its session expires.',
		who: signedIn,
		credentials: ['session'],
		responses: {
			200: { description: 'The account.', json: z.strictObject({ user: accountShape, session: z.strictObject({ expiresAt: dateTime.optional() }) }) }
		}
	},
	{
		method: 'PATCH',
		path: '/api/me',
		summary: 'Change the display name others see (null goes back to the default).',
		who: signedIn,
		credentials: ['session'],
		body: updateMeSchema,
		responses: { 200: { description: 'The account as changed.', json: userAnswer } }
	},
	{
		method: 'GET',
		path: '/api/me/availability',
		summary: 'Which models the signed-in user’s keys reach, as the providers last said.',
		who: signedIn,
		credentials: ['session'],
		responses: { 200: { description: 'Availability by model and by platform.', json: availabilityShape } }
	},
	{
		method: 'POST',
		path: '/api/me/availability/check',
		summary: 'Ask the providers again (one platform, or all the user can check).',
		who: signedIn,
		credentials: ['session'],
		body: availabilityCheckSchema,
		responses: { 200: { description: 'Availability after asking.', json: availabilityShape } },
		errors: { 429: 'Asked within the last minute.' }
	},
	{
		method: 'GET',
		path: '/api/me/keys',
		summary: 'The provider keys saved (their last 4 characters only).',
		who: signedIn,
		credentials: ['session'],
		responses: { 200: { description: 'Saved keys.', json: z.strictObject({ keys: z.array(keyShape) }) } }
	},
	{
		method: 'PUT',
		path: '/api/me/keys/{platform}',
		summary: 'Save (or replace) a provider key; it is stored encrypted.',
		who: signedIn,
		credentials: ['session'],
		params: platformParam,
		body: keyBodySchema,
		responses: { 200: { description: 'The key as saved.', json: z.strictObject({ key: keyShape }) } }
	},
	{
		method: 'DELETE',
		path: '/api/me/keys/{platform}',
		summary: 'Remove a provider key.',
		who: signedIn,
		credentials: ['session'],
		params: platformParam,
		responses: { 200: { description: 'Removed (or there was none).', json: okShape } }
	},
	{
		method: 'POST',
		path: '/api/me/keys/{platform}/check',
		summary: 'Call the provider’s cheapest authenticated endpoint with the saved key.',
		who: signedIn,
		credentials: ['session'],
		params: platformParam,
		responses: {
			200: {
				description: 'What the provider said.',
				json: z.strictObject({ result: z.looseObject({ ok: z.boolean(), account: z.string().optional() }) })
			}
		},
		errors: { 404: 'No key saved for this platform.' }
	},
	{
		method: 'GET',
		path: '/api/me/models',
		summary: 'The models the signed-in user added by name.',
		who: signedIn,
		credentials: ['session'],
		responses: { 200: { description: 'Their models.', json: z.array(modelShape) } }
	},
	{
		method: 'POST',
		path: '/api/me/models',
		summary: 'Add a Replicate model by owner/name[:version], with optional corrections to the proposal.',
		who: 'Anyone signed in with a Replicate key.',
		credentials: ['session'],
		body: addModelSchema,
		responses: { 201: { description: 'The model as added.', json: modelShape } }
	},
	{
		method: 'POST',
		path: '/api/me/models/preview',
		summary: 'What adding a Replicate model would save, read from its schema (nothing saved).',
		who: 'Anyone signed in with a Replicate key.',
		credentials: ['session'],
		body: previewModelSchema,
		responses: { 200: { description: 'The proposed model.', json: modelShape.loose() } }
	},
	{
		method: 'DELETE',
		path: '/api/me/models/{id}',
		summary: 'Remove one of the user’s models (the id may contain slashes).',
		who: signedIn,
		credentials: ['session'],
		params: { id: { description: 'The model id, e.g. replicate/owner/name (its slashes stay as they are).' } },
		restParam: true,
		responses: { 200: { description: 'Removed.', json: okShape } },
		errors: { 404: 'No such model of yours.' }
	},
	{
		method: 'GET',
		path: '/api/admin/settings',
		summary: 'Site settings (whether sign-up is open).',
		who: 'Anyone signed in.',
		credentials: ['session'],
		responses: { 200: { description: 'The settings.', json: siteSettingsSchema } }
	},
	{
		method: 'PATCH',
		path: '/api/admin/settings',
		summary: 'Open or close sign-up.',
		who: 'Site admins.',
		credentials: ['session'],
		body: siteSettingsSchema,
		responses: { 200: { description: 'The settings as changed.', json: siteSettingsSchema } },
		errors: { 403: 'Not a site admin.' }
	}
]);
