import { Field, ObjectType } from '@nestjs/graphql';
import { PrincipalType } from './principal.type.js';

@ObjectType('Me')
export class MeType {
  @Field(() => PrincipalType) principal!: PrincipalType;
  @Field({ description: 'How this request proved who it is: api-key or oidc' }) authMethod!: string;
  @Field(() => String, { nullable: true, description: 'The lookup id of the API key used, if any' })
  apiKeyId!: string | null;
  @Field(() => [String], {
    nullable: true,
    description: 'The permissions the API key is limited to; null when it has all of its principal',
  })
  scopes!: string[] | null;
  @Field(() => [String], { description: 'The permissions this request holds (action:Subject), after key scopes' })
  permissions!: string[];
}
