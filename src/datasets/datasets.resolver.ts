import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { DatasetsService } from './datasets.service.js';
import { DatasetType } from './dto/dataset.type.js';

@Resolver(() => DatasetType)
export class DatasetsResolver {
  constructor(private readonly service: DatasetsService) {}

  @Query(() => [DatasetType], { description: 'The catalog: every dataset you may see' })
  @Allow('read:Catalog')
  datasets(@CurrentActor() actor: Actor): Promise<DatasetType[]> {
    return this.service.list(actor);
  }

  @Query(() => DatasetType, { nullable: true, description: 'One dataset, with its dimensions, levels and measures' })
  @Allow('read:Catalog')
  dataset(@CurrentActor() actor: Actor, @Args('slug') slug: string): Promise<DatasetType | null> {
    return this.service.findOne(actor, slug);
  }
}
