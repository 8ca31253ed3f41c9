import type { LocalModel } from '../local/model';
import { audioToText, imageToText, textToAudio, textToImage } from './media';
import { echo, fail, slow, upper } from './text';

/** Deterministic stand-ins for tests: every modality pair, a failure and a slow, abortable model. */
export const DUMMY_MODELS: LocalModel[] = [echo, upper, textToImage, imageToText, textToAudio, audioToText, fail, slow];
