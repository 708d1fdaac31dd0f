import { UseFilters } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { AggregateService } from './aggregate.service.js';
import { DenialAuditFilter } from './denial-audit.filter.js';
import { AggregateQueryInput } from './dto/aggregate-query.input.js';
import { AggregateResultType } from './dto/aggregate-result.type.js';

@Resolver(() => AggregateResultType)
@UseFilters(DenialAuditFilter)
export class AggregateResolver {
  constructor(private readonly service: AggregateService) {}

  @Query(() => AggregateResultType, {
    description: 'Anonymized aggregates of a catalog dataset: group, filter, measure, order, top-N',
  })
  @Allow('query:Aggregate')
  aggregate(@CurrentActor() actor: Actor, @Args('query') query: AggregateQueryInput): Promise<AggregateResultType> {
    return this.service.aggregate(actor, query);
  }
}
