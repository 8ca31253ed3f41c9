import { describe, expect, test } from 'vitest';
import { admitPrompt, type AuthorShare } from './queue-share';

const limits = { maxQueue: 6, maxWaitingPerPerson: 3 };
/** Authors as `[key, waiting, newestQueuedAt]`; keys starting with `host` are members. */
const queue = (...rows: Array<[string, number, number | null]>) =>
	new Map<string, AuthorShare>(rows.map(([key, waiting, newestQueuedAt]) => [key, { waiting, newestQueuedAt, audience: !key.startsWith('host') }]));

describe('admitPrompt', () => {
	test('room in the queue: anyone under their share gets in', () => {
		expect(admitPrompt('a', true, queue(), limits)).toEqual({ admit: true });
		expect(admitPrompt('a', true, queue(['a', 2, 10], ['b', 3, 20]), limits)).toEqual({ admit: true });
	});

	test('a phone with its share waiting is refused, even with room left', () => {
		expect(admitPrompt('a', true, queue(['a', 3, 10]), limits)).toEqual({ admit: false, reason: 'person' });
	});

	test('hosts have no per-person share', () => {
		expect(admitPrompt('host1', false, queue(['host1', 5, 10]), limits)).toEqual({ admit: true });
	});

	test('a full queue: a newcomer takes the place of the newest prompt of whoever holds the most', () => {
		const full = queue(['flood1', 3, 30], ['flood2', 3, 31]);
		expect(admitPrompt('newcomer', true, full, limits)).toEqual({ admit: true, evict: 'flood2' });
	});

	test('a full queue: giving way must leave things fairer (the heaviest holds two more than the sender)', () => {
		const full = queue(['a', 2, 10], ['b', 2, 11], ['c', 2, 12]);
		expect(admitPrompt('a', true, full, limits)).toEqual({ admit: false, reason: 'full' });
		expect(admitPrompt('d', true, full, limits)).toEqual({ admit: true, evict: 'c' });
		const even = queue(['a', 1, 1], ['b', 1, 2], ['c', 1, 3], ['d', 1, 4], ['e', 1, 5], ['f', 1, 6]);
		expect(admitPrompt('g', true, even, limits)).toEqual({ admit: false, reason: 'full' });
	});

	test("hosts' prompts and approved prompts never give way", () => {
		const hosts = queue(['host1', 4, 10], ['a', 2, 5]);
		expect(admitPrompt('newcomer', true, hosts, limits)).toEqual({ admit: true, evict: 'a' });
		const approved = queue(['a', 3, null], ['b', 2, 7], ['c', 1, 9]);
		expect(admitPrompt('newcomer', true, approved, limits)).toEqual({ admit: true, evict: 'b' });
		const onlyHosts = queue(['host1', 6, 10]);
		expect(admitPrompt('newcomer', true, onlyHosts, limits)).toEqual({ admit: false, reason: 'full' });
	});

	test('a host prompting into a full queue takes a place like anyone with fewer waiting', () => {
		expect(admitPrompt('host1', false, queue(['a', 3, 1], ['b', 3, 2]), limits)).toEqual({ admit: true, evict: 'b' });
	});

	test('the issue’s flood: 80 sessions × 3 prompts fill 200 places; a real phone still gets in, and keeps getting in while any flooder holds 2', () => {
		const limits200 = { maxQueue: 200, maxWaitingPerPerson: 3 };
		const authors = new Map<string, AuthorShare>();
		let clock = 0;
		const send = (key: string) => {
			const admission = admitPrompt(key, true, authors, limits200);
			if (!admission.admit) return admission.reason;
			if (admission.evict) {
				const evicted = authors.get(admission.evict)!;
				evicted.waiting--;
			}
			const author = authors.get(key) ?? { waiting: 0, newestQueuedAt: null, audience: true };
			author.waiting++;
			author.newestQueuedAt = ++clock;
			authors.set(key, author);
			return 'in';
		};
		for (let round = 0; round < 3; round++) for (let s = 0; s < 80; s++) send(`flood${s}`);
		const total = () => [...authors.values()].reduce((n, a) => n + a.waiting, 0);
		expect(total()).toBe(200);
		// 120 real people arrive, one prompt each: every one gets in, flooders give way down to one each.
		for (let r = 0; r < 120; r++) expect(send(`real${r}`)).toBe('in');
		expect(total()).toBe(200);
		expect(Math.max(...[...authors].filter(([k]) => k.startsWith('flood')).map(([, a]) => a.waiting))).toBe(1);
		// Now everyone holds one: the queue is honestly full.
		expect(send('late')).toBe('full');
		expect(send('flood0')).toBe('full');
	});
});
