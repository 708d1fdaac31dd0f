import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../common/gateway-exception.filter.js';
import { requestPath } from '../common/request-url.js';
import { sendWhole } from '../common/whole-response.js';
import type { AppConfig } from '../config/app-config.js';
import type { MetricsService } from './metrics.service.js';

/**
 * `GET /metrics` for Prometheus, behind a bearer token of its own (METRICS_TOKEN; Prometheus
 * `authorization: { credentials: ... }`). Without METRICS_TOKEN the endpoint is off: the metrics
 * name operations, error codes and timings, which are no business of the public.
 */
export function metricsEndpoint(config: Pick<AppConfig, 'metricsToken'>, metrics: MetricsService) {
  const expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  /** Answers `GET /metrics` (true), or leaves the request to the rest of the gateway (false). */
  return (req: IncomingMessage, res: ServerResponse, fail: (err: unknown) => void): boolean => {
    // As Express matched its mount path: with or without a trailing slash, in any case.
    if (requestPath(req).replace(/\/$/, '').toLowerCase() !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    res.setHeader('Cache-Control', 'no-store');
    if (!expected) {
      send(
        req,
        res,
        403,
        'FORBIDDEN',
        '/metrics is off: set METRICS_TOKEN and send it as "Authorization: Bearer <token>".',
      );
      return true;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      send(req, res, 401, 'UNAUTHENTICATED', '/metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
      return true;
    }
    metrics.render().then(({ contentType, body }) => sendWhole(req, res, 200, contentType, body), fail);
    return true;
  };
}

/** Fixed-length digests, so the comparison takes the same time whatever the presented length. */
const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
