import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import { auditActorOf, type RequestWithActor } from '../access-policy/request-with-actor.js';
import { rawRequest, requestPath } from '../common/request-url.js';
import { PUBLIC_ACTOR } from '../access-policy/actor.js';
import { GatewayExceptionFilter } from '../common/gateway-exception.filter.js';
import { GatewayError } from '../common/gateway-error.js';
import { DENIAL_CODES } from './audit-denials.plugin.js';
import { AuditRecorder } from './audit-recorder.js';

/**
 * Refusals on plain HTTP routes outside GraphQL and the aggregate downloads (the DCAT catalog, the
 * probes): e.g. a refused API key on `GET /catalog.ttl` is recorded once, like one on /graphql,
 * with the route as the operation (`GET /catalog.ttl`), then answered as usual.
 */
@Injectable()
@Catch()
export class RouteDenialAuditFilter extends GatewayExceptionFilter {
  constructor(private readonly audit: AuditRecorder) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http' || !(exception instanceof GatewayError) || !DENIAL_CODES.has(exception.code)) {
      return super.catch(exception, host);
    }
    const req = rawRequest(host.switchToHttp().getRequest<RequestWithActor>());
    return this.audit
      .record(auditActorOf(req) ?? PUBLIC_ACTOR, {
        operation: `${req.method} ${requestPath(req)}`.slice(0, 64),
        decision: 'denied',
        reason: `${exception.code}: ${exception.message}`,
      })
      .then(
        () => super.catch(exception, host),
        (auditError: unknown) => super.catch(auditError, host),
      );
  }
}
