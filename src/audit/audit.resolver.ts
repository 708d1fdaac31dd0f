import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditEventFilterInput } from './dto/audit-event-filter.input.js';
import { AuditEventConnectionType } from './dto/audit-event.type.js';
import { AuditCheckpointsType, AuditIntegrityType } from './dto/audit-integrity.type.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly service: AuditLogService) {}

  @Query(() => AuditEventConnectionType, {
    description: 'Audit events, newest first. Auditors see all; researchers and departments their own.',
  })
  @Allow('read:AuditEvent')
  auditEvents(
    @CurrentActor() actor: Actor,
    @Args('filter', { type: () => AuditEventFilterInput, nullable: true }) filter?: AuditEventFilterInput,
    @Args('first', { type: () => Int, nullable: true, description: '1 to 500, default 50' }) first?: number,
    @Args('after', { type: () => String, nullable: true, description: 'pageInfo.endCursor of the previous page' })
    after?: string,
  ): Promise<AuditEventConnectionType> {
    return this.service.events(actor, filter ?? {}, first ?? 50, after ?? undefined);
  }

  @Query(() => AuditIntegrityType, { description: 'Recomputes the whole chain and checks every signed checkpoint' })
  @Allow('verify:Audit')
  auditIntegrity(@CurrentActor() actor: Actor): Promise<AuditIntegrityType> {
    return this.service.integrity(actor);
  }

  @Query(() => AuditCheckpointsType, { description: 'Signed checkpoints, newest first, and the public key' })
  @Allow('verify:Audit')
  auditCheckpoints(
    @CurrentActor() actor: Actor,
    @Args('first', { type: () => Int, nullable: true, description: '1 to 500, default 100' }) first?: number,
  ): Promise<AuditCheckpointsType> {
    return this.service.checkpoints(actor, first ?? 100);
  }
}
