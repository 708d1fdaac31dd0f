import { Field, InputType } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';

@InputType('AuditEventFilter', { description: 'All given conditions must hold (AND)' })
export class AuditEventFilterInput {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) principalId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) organizationId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) licenseId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) datasetSlug?: string;
  @Field({ nullable: true, description: 'allowed or denied' })
  @IsOptional()
  @IsIn(['allowed', 'denied'], { message: 'decision must be "allowed" or "denied"' })
  decision?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) operation?: string;
  @Field({ nullable: true, description: 'ISO-8601 time, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 time, e.g. 2026-01-31T00:00:00Z' })
  from?: string;
  @Field({ nullable: true, description: 'ISO-8601 time, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time, e.g. 2026-02-01T00:00:00Z' })
  to?: string;
}
