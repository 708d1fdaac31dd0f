import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditIntegrity', { description: 'The result of recomputing the chain and checking every checkpoint' })
export class AuditIntegrityType {
  @Field() ok!: boolean;
  @Field(() => Int, { nullable: true, description: 'The first entry that does not check out' })
  firstBrokenSeq!: number | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Int) eventsChecked!: number;
  @Field(() => Int) lastSeq!: number;
  @Field() headHash!: string;
  @Field(() => Int) checkpointsChecked!: number;
  @Field(() => Int, { nullable: true }) lastCheckpointSeq!: number | null;
  @Field(() => Int, { description: 'Events after the last checkpoint, not yet anchored outside the database' })
  unanchoredEvents!: number;
  @Field() checkedAt!: string;
  @Field(() => Float) durationMs!: number;
}

@ObjectType('AuditCheckpoint')
export class AuditCheckpointType {
  @Field(() => Int, { description: 'Number of events the checkpoint vouches for' }) seq!: number;
  @Field() headHash!: string;
  @Field() createdAt!: string;
  @Field() keyId!: string;
  @Field({ description: 'Base64 Ed25519 signature; see docs/audit.md for the signed bytes' }) signature!: string;
}

@ObjectType('AuditCheckpoints')
export class AuditCheckpointsType {
  @Field(() => String, { nullable: true, description: 'The Ed25519 public key (SPKI PEM) that signs checkpoints' })
  publicKeyPem!: string | null;
  @Field(() => String, { nullable: true }) keyId!: string | null;
  @Field(() => [AuditCheckpointType], { description: 'Newest first' }) checkpoints!: AuditCheckpointType[];
}
