import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('DimensionLevel')
export class DimensionLevelType {
  @Field() code!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
}

@ObjectType('Dimension')
export class DimensionType {
  @Field() code!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
  @Field(() => [DimensionLevelType], { description: 'Levels from coarsest to finest' })
  levels!: DimensionLevelType[];
}

@ObjectType('Measure')
export class MeasureType {
  @Field() code!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
  @Field() unit!: string;
  @Field() definition!: string;
}

@ObjectType('DisclosureSettings')
export class DisclosureSettingsType {
  @Field() method!: string;
  @Field() threshold!: number;
}

@ObjectType('Dataset')
export class DatasetType {
  @Field() slug!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
  @Field() descriptionZh!: string;
  @Field() descriptionEn!: string;
  @Field() publisher!: string;
  @Field({ description: 'ISO date of the data version' }) versionDate!: string;
  @Field({ description: 'open, restricted or confidential' }) classification!: string;
  @Field() termsOfUse!: string;
  @Field(() => [DimensionType]) dimensions!: DimensionType[];
  @Field(() => [MeasureType]) measures!: MeasureType[];
  @Field(() => DisclosureSettingsType) disclosure!: DisclosureSettingsType;
  @Field({ description: 'Open datasets need no licence; others need an active licence' })
  licenseRequired!: boolean;
}
