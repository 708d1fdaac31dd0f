/** The largest request body accepted, JSON or form (body-parser syntax). */
export const BODY_LIMIT = '100kb';
