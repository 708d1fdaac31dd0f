import { Injectable, NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AuthenticationService } from '../access-policy/authentication.service.js';
import type { RequestWithActor } from '../access-policy/request-with-actor.js';
import { requestPath } from '../common/request-url.js';
import { send } from '../common/gateway-exception.filter.js';
import { GatewayError } from '../common/gateway-error.js';
import { classifyInfrastructureError } from '../common/infrastructure-errors.js';
import { RateLimitService } from './rate-limit.service.js';

/** Probes and scrapes must keep working for operators while clients are throttled. */
export const RATE_LIMIT_EXEMPT_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Counts every request (GraphQL or not) before it reaches Apollo, so an over-limit caller gets
 * an HTTP 429 with Retry-After and a GraphQL-shaped QUOTA_EXCEEDED body, not a 200.
 * Authenticates here (once; the guard reuses `req.actor`) to limit per principal.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  constructor(
    private readonly limits: RateLimitService,
    private readonly authentication: AuthenticationService,
  ) {}

  async use(req: RequestWithActor, res: ServerResponse, next: (err?: unknown) => void): Promise<void> {
    const path = requestPath(req);
    if (RATE_LIMIT_EXEMPT_PATHS.has(path)) return next();
    try {
      let principalId: string | undefined;
      if (req.headers.authorization) {
        try {
          principalId = (await this.authentication.authenticateRequest(req)).principalId;
        } catch (err) {
          // Bad credentials: limited by address; the guard answers UNAUTHENTICATED with its own words.
          if (!(err instanceof GatewayError)) throw err;
        }
      }
      const verdict = await this.limits.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown', principalId);
      if (verdict.allowed || !verdict.limit) return next();
      const { name, max, windowSeconds } = verdict.limit;
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      const who = name === 'principal' ? 'per caller' : 'per client address';
      send(
        req,
        res,
        429,
        'QUOTA_EXCEEDED',
        `Too many requests: the limit is ${max} per ${windowSeconds} s ${who}. Retry after ${verdict.retryAfterSeconds} s.`,
        { limit: name, retryAfterSeconds: verdict.retryAfterSeconds },
      );
    } catch (err) {
      const mapped =
        classifyInfrastructureError(err) ??
        new GatewayError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry in a few seconds.');
      send(req, res, 503, mapped.code, mapped.message);
    }
  }
}
