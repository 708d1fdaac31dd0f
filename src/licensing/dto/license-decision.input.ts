import { Field, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { LicenseDatasetScopeInput } from './license-scope.input.js';

/** What a steward may narrow when approving; anything left out stays as requested. */
@InputType('LicenseNarrowingInput')
export class LicenseNarrowingInput {
  @Field(() => [LicenseDatasetScopeInput], { nullable: true, description: 'Narrowed scopes (a subset of the request)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => LicenseDatasetScopeInput)
  datasets?: LicenseDatasetScopeInput[];

  @Field({ nullable: true, description: 'An earlier end date' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validTo must be a date like 2027-12-31' })
  validTo?: string;

  @Field(() => Int, { nullable: true, description: 'A lower daily quota' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  dailyQuota?: number;
}

@InputType('LicenseReasonInput')
export class LicenseReasonInput {
  @Field({ description: 'Why; shown to the licensee and kept in the audit log' })
  @IsString()
  @MinLength(5, { message: 'reason must say why, in at least 5 characters' })
  @MaxLength(2000)
  reason!: string;
}
