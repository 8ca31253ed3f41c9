/** Lower-case words of a text: letters, digits, apostrophes and '#' (for note names like A#3). */
export function tokenise(text: string): string[] {
	return text.toLowerCase().match(/[\p{L}\p{N}#'’]+/gu)?.map((w) => w.replace(/['’]/g, '')).filter(Boolean) ?? [];
}

/** Function words that carry no picture, sound or topic of their own. */
export const STOPWORDS = new Set(
	(
		'a an the of at in on and or but with without to from for by as is are was were be been ' +
		'it its this that these those there here into onto over under above below near beside ' +
		'his her their our your my we you they he she i me us them not no so very just than then ' +
		'some any all each every about like up down out off again'
	).split(' ')
);
