import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsDate, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PERMISSIONS } from '../../access-policy/permissions.js';

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'A label to recognise the key by, e.g. "laptop" or "nightly report"' })
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;

  @Field(() => ID, { nullable: true, description: 'Whose key; default yourself (stewards may create keys for anyone)' })
  @IsOptional()
  @IsUUID('all', { message: 'principalId must be a principal id (a UUID), as returned by me or createPrincipal' })
  principalId?: string;

  @Field(() => Date, { nullable: true, description: 'When the key stops working (ISO 8601); default never' })
  @IsOptional()
  @IsDate({ message: 'expiresAt must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' })
  expiresAt?: Date;

  @Field(() => [String], {
    nullable: true,
    description: 'Limit the key to these permissions (action:Subject); each must be one the principal holds',
  })
  @IsOptional()
  @ArrayMaxSize(PERMISSIONS.length, { message: `scopes may list at most ${PERMISSIONS.length} permissions` })
  @IsIn(PERMISSIONS, { each: true, message: `each scope must be one of ${PERMISSIONS.join(', ')}` })
  scopes?: string[];
}
