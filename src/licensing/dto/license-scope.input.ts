import { Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

@InputType('LicenseDimensionInput')
export class LicenseDimensionInput {
  @Field({ description: 'A dimension of the dataset, e.g. area' })
  @IsString()
  @MaxLength(64)
  dimension!: string;

  @Field({ description: 'The finest level allowed, e.g. city; for one-level dimensions the dimension code itself' })
  @IsString()
  @MaxLength(64)
  level!: string;
}

@InputType('LicenseDatasetScopeInput')
export class LicenseDatasetScopeInput {
  @Field({ description: 'Dataset slug, e.g. hotline-cases' })
  @IsString()
  @MaxLength(64)
  dataset!: string;

  @Field(() => [LicenseDimensionInput], { description: 'Dimensions allowed and the finest level of each' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LicenseDimensionInput)
  dimensions!: LicenseDimensionInput[];

  @Field(() => [String], {
    nullable: true,
    description: 'Only cases of these cities (area codes, e.g. 320500); omit for all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  cities?: string[];

  @Field(() => [String], { nullable: true, description: 'Only cases handled by these departments; omit for all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  departments?: string[];

  @Field({ nullable: true, description: 'First day of data covered (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'periodFrom must be a date like 2021-01-01' })
  periodFrom?: string;

  @Field({ nullable: true, description: 'Last day of data covered (YYYY-MM-DD)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'periodTo must be a date like 2021-12-31' })
  periodTo?: string;
}
