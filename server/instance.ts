import { createPanic, type Panic } from './app';
import { configFromEnv } from './config';

// The app's single domain instance lives on globalThis: in dev, Vite may evaluate this module
// more than once (SSR graph and the upgrade hook), and in production the custom server reads
// it from outside the bundle. A symbol keeps it out of everyone else's way.
const KEY = Symbol.for('panic.instance');
type Holder = { [KEY]?: Promise<Panic> };

export function getPanic(): Promise<Panic> {
	const holder = globalThis as Holder;
	return (holder[KEY] ??= createPanic(configFromEnv()));
}

/** Closes the instance if one was started (clean shutdown). */
export async function closePanic(): Promise<void> {
	const holder = globalThis as Holder;
	const instance = holder[KEY];
	delete holder[KEY];
	if (instance) await (await instance).close();
}
