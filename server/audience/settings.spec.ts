import { expect, test } from 'vitest';
import { AUDIENCE_DEFAULTS, audienceSettingsSchema, resolveAudienceSettings } from './settings';

test('nothing stored resolves to the defaults', () => {
	expect(resolveAudienceSettings({})).toEqual(AUDIENCE_DEFAULTS);
	expect(resolveAudienceSettings(null)).toEqual(AUDIENCE_DEFAULTS);
	expect(AUDIENCE_DEFAULTS).toMatchObject({ rotateSeconds: 300, codeValidSeconds: 3600, queueMode: 'auto', maxQueue: 200 });
});

test('stored fields override defaults one by one; a bad stored value falls back alone', () => {
	expect(resolveAudienceSettings({ queueMode: 'moderated', rotateSeconds: 5, maxQueue: 10 })).toEqual({
		...AUDIENCE_DEFAULTS,
		queueMode: 'moderated',
		maxQueue: 10
	});
});

test('the schema bounds input and refuses unknown keys', () => {
	expect(audienceSettingsSchema.safeParse({ blocklist: ['  Spam  '] }).data).toEqual({ blocklist: ['Spam'] });
	expect(audienceSettingsSchema.safeParse({ blocklist: Array(201).fill('x') }).success).toBe(false);
	expect(audienceSettingsSchema.safeParse({ blocklist: [''] }).success).toBe(false);
	expect(audienceSettingsSchema.safeParse({ queueMode: 'chaos' }).success).toBe(false);
	expect(audienceSettingsSchema.safeParse({ codeValidSeconds: 60 }).success).toBe(false);
	expect(audienceSettingsSchema.safeParse({ nope: 1 }).success).toBe(false);
});
