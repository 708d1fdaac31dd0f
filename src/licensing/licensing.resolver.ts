import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { LicenseNarrowingInput, LicenseReasonInput } from './dto/license-decision.input.js';
import { LicenseType } from './dto/license.type.js';
import { RequestLicenseInput } from './dto/request-license.input.js';
import { LicensingService } from './licensing.service.js';

@Resolver(() => LicenseType)
export class LicensingResolver {
  constructor(private readonly service: LicensingService) {}

  @Query(() => [LicenseType], {
    description:
      'Licences you may see: your own, or all for stewards and auditors (status: requested = the pending queue)',
  })
  @Allow('read:License')
  licenses(
    @CurrentActor() actor: Actor,
    @Args('status', { nullable: true, description: 'requested, active, rejected, suspended, revoked or expired' })
    status?: string,
  ): Promise<LicenseType[]> {
    return this.service.list(actor, status);
  }

  @Query(() => LicenseType, { nullable: true })
  @Allow('read:License')
  license(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<LicenseType | null> {
    return this.service.findOne(actor, id);
  }

  @Mutation(() => LicenseType, { description: 'Ask for a data-use licence; a steward approves, narrows or rejects it' })
  @Allow('request:License')
  requestLicense(@CurrentActor() actor: Actor, @Args('input') input: RequestLicenseInput): Promise<LicenseType> {
    return this.service.request(actor, input);
  }

  @Mutation(() => LicenseType, { description: 'Approve a requested licence, optionally narrowing it' })
  @Allow('decide:License')
  approveLicense(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('narrow', { nullable: true }) narrow?: LicenseNarrowingInput,
  ): Promise<LicenseType> {
    return this.service.approve(actor, id, narrow);
  }

  @Mutation(() => LicenseType)
  @Allow('decide:License')
  rejectLicense(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: LicenseReasonInput,
  ): Promise<LicenseType> {
    return this.service.reject(actor, id, input.reason);
  }

  @Mutation(() => LicenseType, { description: 'Suspend an active licence; it stops working on the next request' })
  @Allow('decide:License')
  suspendLicense(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: LicenseReasonInput,
  ): Promise<LicenseType> {
    return this.service.suspend(actor, id, input.reason);
  }

  @Mutation(() => LicenseType, { description: 'Bring a suspended licence back into force' })
  @Allow('decide:License')
  reinstateLicense(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: LicenseReasonInput,
  ): Promise<LicenseType> {
    return this.service.reinstate(actor, id, input.reason);
  }

  @Mutation(() => LicenseType, { description: 'Revoke a licence for good; it stops working on the next request' })
  @Allow('decide:License')
  revokeLicense(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: LicenseReasonInput,
  ): Promise<LicenseType> {
    return this.service.revoke(actor, id, input.reason);
  }
}
