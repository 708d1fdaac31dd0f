import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { SERIES, type Series } from '../../catalog/series.js';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsISO8601,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

@InputType()
export class PublishDimensionInput {
  @Field({ description: 'Dimension code, e.g. area' })
  @IsString()
  @Length(1, 40)
  dimension!: string;

  @Field(() => [String], { description: 'Levels to publish, e.g. ["province", "city"]' })
  @ArrayMinSize(1)
  @ArrayMaxSize(6)
  @IsString({ each: true })
  levels!: string[];
}

@InputType()
export class PublishDatasetInput {
  @Field({ description: 'Lower-case letters, digits and dashes, e.g. hotline-cases-suzhou' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'slug: use 2 to 63 lower-case letters, digits and dashes' })
  slug!: string;

  @Field() @IsString() @Length(1, 200) titleZh!: string;
  @Field() @IsString() @Length(1, 200) titleEn!: string;
  @Field() @IsString() @Length(1, 2000) descriptionZh!: string;
  @Field() @IsString() @Length(1, 2000) descriptionEn!: string;
  @Field() @IsString() @Length(1, 200) publisher!: string;

  @Field({ description: 'ISO date of the data version, e.g. 2022-01-01' })
  @IsISO8601({ strict: true }, { message: 'versionDate: write an ISO date such as 2022-01-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'versionDate: write an ISO date such as 2022-01-01' })
  versionDate!: string;

  @Field({
    nullable: true,
    description: 'First day the data cover, e.g. 2021-01-01 (with periodTo; cited with every answer)',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'periodFrom: write an ISO date such as 2021-01-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'periodFrom: write an ISO date such as 2021-01-01' })
  periodFrom?: string;

  @Field({ nullable: true, description: 'Last day the data cover, e.g. 2022-12-31 (with periodFrom)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'periodTo: write an ISO date such as 2022-12-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'periodTo: write an ISO date such as 2022-12-31' })
  periodTo?: string;

  @Field({
    nullable: true,
    description:
      'The province (area code) all its rows lie in, e.g. 320000 for Jiangsu or US-NY; kept from the version it replaces when left out',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  jurisdiction?: string;

  @Field({ description: 'open, restricted or confidential' })
  @IsIn(['open', 'restricted', 'confidential'], { message: 'classification: use open, restricted or confidential' })
  classification!: 'open' | 'restricted' | 'confidential';

  @Field() @IsString() @Length(1, 4000) termsOfUse!: string;

  @Field(() => String, { description: SERIES.join(' or ') })
  @IsIn(SERIES, { message: `source: use ${SERIES.join(' or ')}` })
  source!: Series;

  @Field(() => [PublishDimensionInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(12)
  @ValidateNested({ each: true })
  @Type(() => PublishDimensionInput)
  dimensions!: PublishDimensionInput[];

  @Field(() => [String], { description: 'Measure codes, e.g. ["cases", "solvedRate"]' })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  measures!: string[];

  @Field({ description: 'none, threshold, cell-key or differential-privacy (docs/disclosure-control.md)' })
  @IsIn(['none', 'threshold', 'cell-key', 'differential-privacy'], {
    message: 'disclosureMethod: use none, threshold, cell-key or differential-privacy',
  })
  disclosureMethod!: string;

  @Field(() => Int, { nullable: true, description: 'Cell key method: largest perturbation (1-20, default 6)' })
  @IsOptional()
  @IsInt()
  maxNoise?: number;

  @Field(() => Float, { nullable: true, description: 'Cell key method: noise variance (default 6)' })
  @IsOptional()
  @IsNumber()
  noiseVariance?: number;

  @Field(() => Int, { nullable: true, description: 'Distinct queries per licence (0 = unlimited)' })
  @IsOptional()
  @IsInt()
  queryBudget?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Distinct queries per client address and day without credentials (0 = unlimited, default 100)',
  })
  @IsOptional()
  @IsInt()
  publicDailyBudget?: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Distinct queries per principal and day without a licence, on data it does not hold (0 = unlimited, default 300)',
  })
  @IsOptional()
  @IsInt()
  principalDailyBudget?: number;

  @Field(() => Float, { nullable: true, description: 'Differential privacy: epsilon per statistic of a query' })
  @IsOptional()
  @IsNumber()
  epsilonPerQuery?: number;

  @Field(() => Float, { nullable: true, description: 'Differential privacy: epsilon budget per licence' })
  @IsOptional()
  @IsNumber()
  epsilonBudget?: number;

  @Field(() => Int, { description: 'Smallest count released (threshold method)' })
  @IsInt()
  @Min(0)
  @Max(1000)
  disclosureThreshold!: number;

  @Field({ nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  published?: boolean;
}
