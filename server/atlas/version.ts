import pkg from '../../package.json';

/**
 * Bumped whenever a change to server/atlas/ could cluster the same runs differently (thresholds,
 * ordering, assignment): an atlas records it, and cached atlases of an older version are not
 * served.
 */
export const ATLAS_VERSION = 1;

export const ATLAS_CODE_VERSION = { atlas: ATLAS_VERSION, panic: pkg.version as string } as const;
