import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ReadOnlyInput } from '../../common/remembering-validation.pipe.js';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType()
export class GroupByInput {
  @Field({ description: 'Dimension code, e.g. area' })
  @IsString()
  @Length(1, 40)
  dimension!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Level code, e.g. district; may be omitted for one-level dimensions',
  })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  level?: string | null;
}

@InputType()
export class FilterInput {
  @Field()
  @IsString()
  @Length(1, 40)
  dimension!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  level?: string | null;

  @Field(() => [String], { nullable: true, description: 'Member codes at the level (OR)' })
  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Length(1, 80, { each: true })
  in?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Time only: first period included, any time code, e.g. 2021-01' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Time only: last period included, e.g. 2021-12 or 2021-12-31' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  to?: string | null;
}

@InputType()
export class OrderByInput {
  @Field({ description: 'A result column: a measure code or a grouped dimension, e.g. cases or area.district' })
  @IsString()
  @Length(1, 60)
  field!: string;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC })
  @IsOptional()
  @IsIn([SortDirection.ASC, SortDirection.DESC])
  direction?: SortDirection | null;
}

/** Read-only downstream (planned, never changed): identical queries share one validated instance. */
@ReadOnlyInput()
@InputType()
export class AggregateQueryInput {
  @Field({ description: 'Catalog slug, e.g. hotline-cases' })
  @IsString()
  @Length(1, 64)
  dataset!: string;

  @Field(() => [GroupByInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => GroupByInput)
  groupBy?: GroupByInput[] | null;

  @Field(() => [String])
  @ArrayMinSize(1, { message: 'measures: name at least one measure, e.g. "cases"' })
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 40, { each: true })
  measures!: string[];

  @Field(() => [FilterInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => FilterInput)
  filters?: FilterInput[] | null;

  @Field(() => ID, { nullable: true, description: 'The licence the query is made under, where one is needed' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  licenseId?: string | null;

  @Field(() => [OrderByInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => OrderByInput)
  orderBy?: OrderByInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Top-N: at most this many rows, after ordering' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit?: number | null;
}
