/**
 * A fresh id for a node, edge or note: a short prefix (so a glance at the JSON says what it
 * is) and 128 random bits in hex. Uses getRandomValues rather than randomUUID because a
 * tablet on the venue LAN loads the page over plain http, where randomUUID does not exist.
 * Fits the graph schema: letters, digits, _ and - only, well under 64 characters.
 */
export function newId(prefix: 'n' | 'e' | 'note'): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return `${prefix}_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
