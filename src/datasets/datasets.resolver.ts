import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { dimensionSpec } from '../catalog/registry.js';
import { DatasetsService } from './datasets.service.js';
import { DatasetType, DimensionLevelType, DimensionMemberType } from './dto/dataset.type.js';
import { PublishDatasetInput } from './dto/publish-dataset.input.js';
import { MembersService } from './members.service.js';

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

  @Mutation(() => DatasetType, { description: "Stewards: add or replace a dataset's metadata and published flag" })
  @Allow('manage:Dataset')
  publishDataset(@CurrentActor() actor: Actor, @Args('input') input: PublishDatasetInput): Promise<DatasetType> {
    return this.service.publish(actor, input);
  }
}

/** Members of a level, resolved only when asked for (street lists are long). */
@Resolver(() => DimensionLevelType)
export class DimensionLevelResolver {
  constructor(private readonly directory: MembersService) {}

  @ResolveField(() => [DimensionMemberType], {
    description: 'Member codes with Chinese and English labels (empty for time: see format)',
  })
  async members(@Parent() level: DimensionLevelType): Promise<DimensionMemberType[]> {
    if (level.dimensionCode === 'time') return [];
    const spec = dimensionSpec(level.dimensionCode)?.levels.find((l) => l.code === level.code);
    if (!spec) return [];
    return (await this.directory.directory()).list(spec, level.jurisdiction);
  }
}
