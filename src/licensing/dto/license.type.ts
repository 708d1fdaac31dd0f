import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('LicenseDimension')
export class LicenseDimensionType {
  @Field() dimension!: string;
  @Field({ description: 'The finest level allowed' }) level!: string;
}

@ObjectType('LicenseDatasetScope')
export class LicenseDatasetScopeType {
  @Field() dataset!: string;
  @Field(() => [LicenseDimensionType]) dimensions!: LicenseDimensionType[];
  @Field(() => [String], { nullable: true }) cities?: string[];
  @Field(() => [String], { nullable: true }) departments?: string[];
  @Field({ nullable: true }) periodFrom?: string;
  @Field({ nullable: true }) periodTo?: string;
}

@ObjectType('LicenseObligation')
export class LicenseObligationType {
  @Field() code!: string;
  @Field() acceptedAt!: string;
}

@ObjectType('LicenseUsage')
export class LicenseUsageType {
  @Field(() => Int, { description: 'Queries made today (Asia/Shanghai)' }) usedToday!: number;
  @Field(() => Int) dailyQuota!: number;
  @Field(() => Int) remainingToday!: number;
  @Field({ description: 'When the daily quota resets (ISO time)' }) resetsAt!: string;
  @Field(() => Int, { description: 'Queries made under this licence in all' }) total!: number;
}

@ObjectType('License')
export class LicenseType {
  @Field(() => ID, { description: 'e.g. L-12' }) id!: string;
  @Field({ description: 'requested, active, rejected, suspended, revoked or expired' }) status!: string;
  @Field({ nullable: true, description: 'Why it was rejected, suspended or revoked' }) statusReason?: string;
  @Field({ nullable: true }) statusChangedAt?: string;
  @Field({ description: 'research, or sharing (a department-to-department agreement)' }) kind!: string;
  @Field(() => ID) licenseeId!: string;
  @Field(() => ID, { nullable: true }) organizationId?: string;
  @Field(() => ID) requestedById!: string;
  @Field(() => ID, { nullable: true }) decidedById?: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The first steward to approve, when the licence needs two (LICENSE_SECOND_APPROVAL)',
  })
  firstApprovedById?: string;
  @Field() purpose!: string;
  @Field(() => [LicenseDatasetScopeType]) datasets!: LicenseDatasetScopeType[];
  @Field() validFrom!: string;
  @Field() validTo!: string;
  @Field(() => [LicenseObligationType]) obligations!: LicenseObligationType[];
  @Field(() => Int) dailyQuota!: number;
  @Field(() => LicenseUsageType) usage!: LicenseUsageType;
  @Field() requestedAt!: string;
}
