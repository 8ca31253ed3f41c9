import { associate } from './associate';
import { caption } from './caption';
import { distil } from './distil';
import { listen } from './listen';
import { mirror } from './mirror';
import type { LocalModel } from './model';
import { paint } from './paint';
import { sing } from './sing';

export type { LocalModel } from './model';

/**
 * The built-in offline models: no key, no network, deterministic (same input, same
 * bytes out) and fast. paint/caption and sing/listen share a vocabulary but each
 * round trip loses a little (shapes merge or hide, quick leaps narrow), so loops
 * through them drift for a few steps and then settle on a fixed point.
 */
export const LOCAL_MODELS: LocalModel[] = [paint, caption, sing, listen, distil, associate, mirror];
