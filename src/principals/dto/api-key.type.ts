import { Field, ID, ObjectType } from '@nestjs/graphql';

/** An API key as its holder and stewards see it: never the key or its hash. */
@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID, { description: 'The lookup id, also visible in the key as hgw_<id>...' }) id!: string;
  @Field(() => ID) principalId!: string;
  @Field() name!: string;
  @Field({ description: 'How the key starts, to recognise it: hgw_ and the lookup id' }) prefix!: string;
  @Field(() => [String], {
    nullable: true,
    description: 'Permissions the key is limited to; null: all of its principal',
  })
  scopes!: string[] | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'Recorded at most once a minute' }) lastUsedAt!: Date | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: 'The key itself: shown only now, store it safely (only a hash is kept)' })
  apiKey!: string;
  @Field(() => ApiKeyType) key!: ApiKeyType;
}
