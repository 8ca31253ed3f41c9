import { describe, expect, test } from 'vitest';
import { sessionMatches, type SessionMatch } from './session-match';

const sessions = {
	owner: { principal: 'u-owner', sessionKey: 'k1' },
	editor: { principal: 'u-editor', sessionKey: 'k2' },
	editorOtherTab: { principal: 'u-editor', sessionKey: 'k3' },
	anonymous: { principal: undefined, sessionKey: undefined },
	audience: { principal: 'audience:a1', sessionKey: 'a1' }
};
type Name = keyof typeof sessions;
const matched = (match: SessionMatch) =>
	(Object.keys(sessions) as Name[]).filter((name) => sessionMatches(JSON.parse(JSON.stringify(match)), sessions[name]));

describe('SessionMatch (what a revocation closes, as data that survives JSON)', () => {
	test('a member removed: every session of that user', () => {
		expect(matched({ principal: 'u-editor' })).toEqual(['editor', 'editorOtherTab']);
	});
	test('made private: everyone but the owner, anonymous readers included', () => {
		expect(matched({ exceptPrincipal: 'u-owner' })).toEqual(['editor', 'editorOtherTab', 'anonymous', 'audience']);
	});
	test('locked: the listed editors only; an empty list closes nobody', () => {
		expect(matched({ principals: ['u-editor', 'u-gone'] })).toEqual(['editor', 'editorOtherTab']);
		expect(matched({ principals: [] })).toEqual([]);
	});
	test('a logout: that login session only', () => {
		expect(matched({ sessionKey: 'k3' })).toEqual(['editorOtherTab']);
	});
	test('the event ended: every audience session', () => {
		expect(matched({ principalPrefix: 'audience:' })).toEqual(['audience']);
	});
	test('conditions combine; none at all matches everyone', () => {
		expect(matched({ principal: 'u-editor', sessionKey: 'k2' })).toEqual(['editor']);
		expect(matched({})).toHaveLength(5);
	});
});
