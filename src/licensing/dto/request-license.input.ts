import { Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OBLIGATIONS } from '../license-scope.js';
import { LicenseDatasetScopeInput } from './license-scope.input.js';

@InputType('RequestLicenseInput')
export class RequestLicenseInput {
  @Field({ description: 'What the data will be used for (at least 20 characters)' })
  @IsString()
  @MinLength(20, { message: 'purpose must say what the data is for, in at least 20 characters' })
  @MaxLength(4000)
  purpose!: string;

  @Field(() => [LicenseDatasetScopeInput])
  @IsArray()
  @ArrayMinSize(1, { message: 'datasets must name at least one dataset' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => LicenseDatasetScopeInput)
  datasets!: LicenseDatasetScopeInput[];

  @Field({ description: 'First day the licence is valid (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validFrom must be a date like 2027-01-01' })
  validFrom!: string;

  @Field({ description: 'Last day the licence is valid (YYYY-MM-DD), at most 3 years after validFrom' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validTo must be a date like 2027-12-31' })
  validTo!: string;

  @Field(() => Int, { description: 'Queries allowed per day (Asia/Shanghai), 1 to 100000' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  dailyQuota!: number;

  @Field(() => [String], { description: `The obligations you accept; all of: ${OBLIGATIONS.join(', ')}` })
  @IsArray()
  @IsIn(OBLIGATIONS, { each: true, message: `acceptObligations may only contain ${OBLIGATIONS.join(', ')}` })
  acceptObligations!: string[];
}
