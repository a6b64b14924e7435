import type { Cas } from './model.js';

/** The cas of a key that holds no live session. */
export const CAS_NONE: Cas = 0;

/** The cas of a session right after it was created. */
export const CAS_INITIAL: Cas = 1;
