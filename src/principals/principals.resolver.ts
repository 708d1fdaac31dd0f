import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { CreatePrincipalInput } from './dto/create-principal.input.js';
import { MeType } from './dto/me.type.js';
import { PrincipalType } from './dto/principal.type.js';
import { PrincipalsService } from './principals.service.js';

@Resolver(() => PrincipalType)
export class PrincipalsResolver {
  constructor(private readonly service: PrincipalsService) {}

  @Query(() => MeType, { description: 'Who you are: principal, organization, role and the permissions you hold' })
  @Allow('read:Me')
  me(@CurrentActor() actor: Actor): Promise<MeType> {
    return this.service.me(actor);
  }

  @Mutation(() => PrincipalType, { description: 'Creates a principal with one role (stewards only)' })
  @Allow('manage:Principal')
  createPrincipal(@CurrentActor() actor: Actor, @Args('input') input: CreatePrincipalInput): Promise<PrincipalType> {
    return this.service.createPrincipal(actor, input);
  }

  @Mutation(() => PrincipalType, {
    description:
      'Disables a principal (stewards only; audited): its API keys and OIDC tokens fail from the next request on, on every instance. Not oneself.',
  })
  @Allow('manage:Principal')
  disablePrincipal(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
  ): Promise<PrincipalType> {
    return this.service.disable(actor, id, reason);
  }

  @Mutation(() => PrincipalType, {
    description:
      'Enables a disabled principal again (stewards only; audited): its unrevoked, unexpired keys work again.',
  })
  @Allow('manage:Principal')
  enablePrincipal(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
  ): Promise<PrincipalType> {
    return this.service.enable(actor, id, reason);
  }
}
