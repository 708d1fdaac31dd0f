import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditEvent', { description: 'One audited action, as stored in the chain' })
export class AuditEventType {
  @Field(() => ID, { description: 'The event id, equal to its place (seq) in the chain' }) id!: string;
  @Field(() => Int) seq!: number;
  @Field({ description: 'ISO-8601 UTC, milliseconds' }) occurredAt!: string;
  @Field(() => String, { nullable: true }) principalId!: string | null;
  @Field() role!: string;
  @Field(() => String, { nullable: true }) organizationId!: string | null;
  @Field(() => String, { nullable: true }) apiKeyId!: string | null;
  @Field(() => String, { nullable: true }) licenseId!: string | null;
  @Field({ description: 'e.g. aggregate, createApiKey, approveLicense' }) operation!: string;
  @Field(() => String, { nullable: true }) datasetSlug!: string | null;
  @Field(() => String, { nullable: true, description: 'The normalized query or change, as canonical JSON text' })
  query!: string | null;
  @Field(() => Int, { nullable: true }) resultSize!: number | null;
  @Field(() => Int, { nullable: true }) cellsSuppressed!: number | null;
  @Field({ description: 'allowed or denied' }) decision!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true }) target!: string | null;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => String, { nullable: true }) clientAddress!: string | null;
  @Field({ description: 'SHA-256 of the previous event (hex)' }) prevHash!: string;
  @Field({ description: 'SHA-256 of this event (hex)' }) hash!: string;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdgeType {
  @Field({ description: 'Pass as `after` to continue after this event' }) cursor!: string;
  @Field(() => AuditEventType) node!: AuditEventType;
}

@ObjectType('AuditPageInfo')
export class AuditPageInfoType {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType('AuditEventConnection', { description: 'Newest first; follow pageInfo.endCursor for older events' })
export class AuditEventConnectionType {
  @Field(() => [AuditEventEdgeType]) edges!: AuditEventEdgeType[];
  @Field(() => AuditPageInfoType) pageInfo!: AuditPageInfoType;
}
