// A Node.js request's URL: `originalUrl` (the URL as received) when middleware set it, else `url`.

/** The request's path as received, without the query string (what Express called `req.path`). */
export function requestPath(req: { originalUrl?: string; url?: string }): string {
  return (req.originalUrl ?? req.url ?? '/').split('?')[0];
}

/** One query-string parameter given once, else undefined (a repeated parameter is no string). */
export function queryParameter(req: { originalUrl?: string; url?: string }, name: string): string | undefined {
  const url = req.originalUrl ?? req.url ?? '';
  const at = url.indexOf('?');
  if (at < 0) return undefined;
  const values = new URLSearchParams(url.slice(at + 1)).getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The Node.js request behind Fastify's (or the request itself, when it is one already). */
export function rawRequest<T extends object>(req: T | { raw: T }): T {
  return 'raw' in req && req.raw ? req.raw : (req as T);
}
