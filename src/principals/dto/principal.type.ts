import { Field, ID, ObjectType } from '@nestjs/graphql';
import { OrganizationType } from './organization.type.js';

@ObjectType('Principal')
export class PrincipalType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'steward, department, researcher or auditor' }) role!: string;
  @Field(() => OrganizationType) organization!: OrganizationType;
  @Field(() => String, { nullable: true, description: 'The OIDC `sub` claim this principal signs in with' })
  oidcSubject!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) disabledAt!: Date | null;
}
