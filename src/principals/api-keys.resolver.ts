import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyType, CreatedApiKeyType } from './dto/api-key.type.js';
import { CreateApiKeyInput } from './dto/create-api-key.input.js';

@Resolver(() => ApiKeyType)
export class ApiKeysResolver {
  constructor(private readonly service: ApiKeysService) {}

  @Query(() => [ApiKeyType], { description: 'API keys you may manage: your own; every key for stewards' })
  @Allow('manage:ApiKey')
  apiKeys(
    @CurrentActor() actor: Actor,
    @Args('principalId', { type: () => ID, nullable: true }) principalId?: string,
  ): Promise<ApiKeyType[]> {
    return this.service.list(actor, principalId);
  }

  @Mutation(() => CreatedApiKeyType, {
    description: 'Creates an API key (for yourself; stewards for anyone). The key is shown only in this answer.',
  })
  @Allow('manage:ApiKey')
  createApiKey(@CurrentActor() actor: Actor, @Args('input') input: CreateApiKeyInput): Promise<CreatedApiKeyType> {
    return this.service.create(actor, input);
  }

  @Mutation(() => ApiKeyType, {
    description: 'Revokes an API key (your own; stewards any); effective on the next request',
  })
  @Allow('manage:ApiKey')
  revokeApiKey(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyType> {
    return this.service.revoke(actor, id);
  }
}
