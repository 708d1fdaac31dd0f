import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
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
}
