/** The largest request body accepted, JSON or form (body-parser syntax). */
export const BODY_LIMIT = '100kb';
/** BODY_LIMIT in bytes, as body-parser counts it (1 kb = 1024 bytes). */
export const BODY_LIMIT_BYTES = 100 * 1024;
