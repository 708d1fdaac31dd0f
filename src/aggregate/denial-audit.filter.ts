import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import { GqlArgumentsHost, GqlContextType } from '@nestjs/graphql';
import { auditActorOf, type RequestWithActor } from '../access-policy/request-with-actor.js';
import { queryParameter, rawRequest, requestPath } from '../common/request-url.js';
import { PUBLIC_ACTOR } from '../access-policy/actor.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { GatewayExceptionFilter } from '../common/gateway-exception.filter.js';
import { GatewayError } from '../common/gateway-error.js';

/** Marks an error whose denial the aggregate service has already written to the audit log. */
export const AUDITED = Symbol('audited');

export function markAudited<T extends object>(err: T): T {
  (err as Record<symbol, boolean>)[AUDITED] = true;
  return err;
}

/**
 * Data access refused before the service runs (the global guard: e.g. auditors, who may not query
 * data) is still a data access to audit. Scoped to the aggregate resolver and the export routes.
 */
@Injectable()
@Catch()
export class DenialAuditFilter extends GatewayExceptionFilter {
  constructor(private readonly audit: AuditRecorder) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    const pending =
      exception instanceof GatewayError &&
      exception.code !== 'SERVICE_UNAVAILABLE' &&
      !(exception as unknown as Record<symbol, boolean>)[AUDITED]
        ? this.record(exception, host)
        : undefined;
    if (host.getType<GqlContextType>() === 'graphql') {
      if (!pending) return exception;
      return pending.then(() => {
        throw exception;
      });
    }
    if (!pending) return super.catch(exception, host);
    return pending.then(
      () => super.catch(exception, host),
      (auditError: unknown) => super.catch(auditError, host),
    );
  }

  private async record(err: GatewayError, host: ArgumentsHost): Promise<void> {
    let req: RequestWithActor | undefined;
    let dataset: unknown;
    let format: string | undefined;
    if (host.getType<GqlContextType>() === 'graphql') {
      const gql = GqlArgumentsHost.create(host);
      req = gql.getContext<{ req?: RequestWithActor }>().req;
      dataset = (gql.getArgs<{ query?: { dataset?: unknown } }>().query ?? {}).dataset;
    } else {
      req = rawRequest(host.switchToHttp().getRequest<RequestWithActor>());
      // A download refused before the engine ran (e.g. a bad ?query): audited as the export it was.
      format = /\/export\/aggregate\.(csv|json)/.exec(requestPath(req))?.[1];
      try {
        const raw: unknown = queryParameter(req, 'query');
        dataset = typeof raw === 'string' ? (JSON.parse(raw) as { dataset?: unknown }).dataset : undefined;
      } catch {
        dataset = undefined;
      }
    }
    await this.audit.record(auditActorOf(req) ?? PUBLIC_ACTOR, {
      operation: format ? 'export' : 'aggregate',
      decision: 'denied',
      reason: `${err.code}: ${err.message}`,
      datasetSlug: typeof dataset === 'string' ? dataset.slice(0, 64) : undefined,
      ...(format ? { query: { format } } : {}),
    });
  }
}
