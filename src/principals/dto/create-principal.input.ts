import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { ROLES } from '../../access-policy/actor.js';
import { ORGANIZATION_KINDS } from '../organization.entity.js';

@InputType()
export class NewOrganizationInput {
  @Field({ description: 'hotline-centre, department, university, institute or audit-office' })
  @IsIn(ORGANIZATION_KINDS, { message: `organization.kind must be one of ${ORGANIZATION_KINDS.join(', ')}` })
  kind!: string;

  @Field()
  @IsString()
  @Length(1, 200, { message: 'organization.nameZh must be 1 to 200 characters' })
  nameZh!: string;

  @Field()
  @IsString()
  @Length(1, 200, { message: 'organization.nameEn must be 1 to 200 characters' })
  nameEn!: string;

  @Field({
    nullable: true,
    description: 'Required for departments: the handling-department code (department.code), e.g. 320500-housing',
  })
  @IsOptional()
  @Matches(/^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/, {
    message: 'organization.departmentCode must be 1 to 64 letters, digits, "-" or "_", e.g. 320500-housing',
  })
  departmentCode?: string;
}

@InputType()
export class CreatePrincipalInput {
  @Field({ description: 'A display name for the person or service account' })
  @IsString()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @Field({ description: 'steward, department, researcher or auditor' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: string;

  @Field(() => ID, { nullable: true, description: 'An existing organization; or give `organization` to create one' })
  @IsOptional()
  @IsUUID('all', {
    message: 'organizationId must be an organization id (a UUID), as returned in Principal.organization.id',
  })
  organizationId?: string;

  @Field(() => NewOrganizationInput, { nullable: true, description: 'A new organization for this principal' })
  @IsOptional()
  @ValidateNested()
  @Type(() => NewOrganizationInput)
  organization?: NewOrganizationInput;

  @Field({
    nullable: true,
    description: "The `sub` claim of the principal's OIDC tokens, to sign in with the identity provider",
  })
  @IsOptional()
  @IsString()
  @Length(1, 255, { message: 'oidcSubject must be 1 to 255 characters' })
  oidcSubject?: string;
}
