/**
 * Each person's fair share of a network's prompt queue. A phone may keep only a few prompts
 * waiting (`maxWaitingPerPerson`), and when the queue is full, someone with fewer waiting
 * prompts takes the place of the newest queued prompt of whoever has the most, as long as that
 * leaves things fairer (the heaviest has at least two more than the sender). So one session,
 * or a burst of sessions from one address, can hold at most its share: however many prompts
 * it sends, a newcomer with none waiting still gets in while anyone holds two or more.
 *
 * The hosts (owner and editors) are exempt from the per-person cap, and their prompts are
 * never pushed out; facilitator-approved prompts are never pushed out either.
 */
export interface AuthorShare {
	/** Prompts of this author waiting (queued or approved). */
	waiting: number;
	/** When the newest of its still unapproved prompts arrived; null if it has none (nothing of it can give way). */
	newestQueuedAt: number | null;
	/** An audience session (true) or a host (false). */
	audience: boolean;
}

export interface ShareLimits {
	maxQueue: number;
	maxWaitingPerPerson: number;
}

export type Admission =
	/** In; `evict` names the author whose newest queued prompt gives way. */
	| { admit: true; evict?: string }
	/** `person`: the sender already has their share waiting; `full`: nobody holds more than the sender could fairly take from. */
	| { admit: false; reason: 'person' | 'full' };

/** Whether `sender`'s next prompt may join the queue whose waiting prompts are `authors` (by author key). */
export function admitPrompt(sender: string, senderIsAudience: boolean, authors: ReadonlyMap<string, AuthorShare>, limits: ShareLimits): Admission {
	const mine = authors.get(sender)?.waiting ?? 0;
	if (senderIsAudience && mine >= limits.maxWaitingPerPerson) return { admit: false, reason: 'person' };
	let total = 0;
	for (const author of authors.values()) total += author.waiting;
	if (total < limits.maxQueue) return { admit: true };
	const heaviest = heaviestEvictable(authors);
	if (heaviest && heaviest[1].waiting >= mine + 2) return { admit: true, evict: heaviest[0] };
	return { admit: false, reason: 'full' };
}

/** The audience author with the most waiting prompts who has a queued one to give; on a tie, whoever added last. */
function heaviestEvictable(authors: ReadonlyMap<string, AuthorShare>): [string, AuthorShare] | null {
	let best: [string, AuthorShare] | null = null;
	for (const entry of authors) {
		const [, author] = entry;
		if (!author.audience || author.newestQueuedAt === null) continue;
		if (!best || author.waiting > best[1].waiting || (author.waiting === best[1].waiting && author.newestQueuedAt > best[1].newestQueuedAt!)) best = entry;
	}
	return best;
}
