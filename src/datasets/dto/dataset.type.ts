import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('DimensionMember')
export class DimensionMemberType {
  @Field() code!: string;
  @Field() labelZh!: string;
  @Field() labelEn!: string;
  @Field(() => String, { nullable: true, description: 'Code of the member one level up, e.g. the city of a district' })
  parentCode!: string | null;
}

@ObjectType('DimensionLevel')
export class DimensionLevelType {
  @Field() code!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
  @Field(() => String, { nullable: true, description: 'Time levels: how member codes are written' })
  format!: string | null;
  /** Not in the schema: the dimension this level belongs to, for the members field resolver. */
  dimensionCode!: string;
  /** Not in the schema: the dataset's jurisdiction (a province code), whose members alone are listed. */
  jurisdiction?: string;
}

@ObjectType('Dimension')
export class DimensionType {
  @Field() code!: string;
  @Field() titleZh!: string;
  @Field() titleEn!: string;
  @Field(() => [DimensionLevelType], { description: 'Levels from coarsest to finest, as published in this dataset' })
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
  @Field(() => Int) threshold!: number;
}

@ObjectType('StatutoryLimit')
export class StatutoryLimitType {
  @Field({ description: 'Request kind' }) kind!: string;
  @Field(() => Int, { description: 'Calendar days within which a case of this kind should be closed' }) days!: number;
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
  @Field(() => String, {
    nullable: true,
    description:
      'The province (area code) all its rows lie in, e.g. 320000 (Jiangsu) or US-NY: one dataset, one jurisdiction',
  })
  jurisdiction!: string | null;
  @Field(() => String, { nullable: true, description: 'First day the data cover (ISO date), when published' })
  periodFrom!: string | null;
  @Field(() => String, { nullable: true, description: 'Last day the data cover (ISO date), when published' })
  periodTo!: string | null;
  @Field({ description: 'open, restricted or confidential' }) classification!: string;
  @Field() termsOfUse!: string;
  @Field(() => [DimensionType]) dimensions!: DimensionType[];
  @Field(() => [MeasureType]) measures!: MeasureType[];
  @Field(() => DisclosureSettingsType) disclosure!: DisclosureSettingsType;
  @Field({ description: 'Open datasets need no licence; others need an active licence' })
  licenseRequired!: boolean;
  @Field({ description: 'cases or traffic: the records the dataset is computed from' }) source!: string;
  @Field(() => [StatutoryLimitType], { description: 'Limits behind onTimeRate (case datasets)' })
  statutoryLimits!: StatutoryLimitType[];
  @Field({ description: 'Whether the catalog lists it and queries may use it' }) published!: boolean;
  @Field({ description: 'What you may do with it, given your role, e.g. "all rows" or "licence required"' })
  yourAccess!: string;
}
