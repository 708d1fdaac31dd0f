import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AggregateCell')
export class AggregateCellType {
  @Field() measure!: string;
  @Field(() => Float, { nullable: true, description: 'Null when suppressed or undefined (e.g. a rate over no cases)' })
  value!: number | null;
  @Field(() => [String], {
    description:
      'Disclosure flags (perturbed, noisy; suppressed with its reason: small-count, small-denominator, small-numerator, small-complement) and analysis flags (surge, emerging, persistent)',
  })
  flags!: string[];
}

@ObjectType('AggregateRow')
export class AggregateRowType {
  @Field(() => [String], { description: 'Member codes, one per grouped dimension' }) keys!: string[];
  @Field(() => [String], { description: 'Chinese labels of the keys' }) labels!: string[];
  @Field(() => [String], { description: 'English labels of the keys' }) labelsEn!: string[];
  @Field(() => [AggregateCellType]) cells!: AggregateCellType[];
}

@ObjectType('DisclosureSummary')
export class DisclosureSummaryType {
  @Field({ description: 'none, exact (you hold the records), threshold, cell-key or differential-privacy' })
  method!: string;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) suppressedCells!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Distinct queries (or epsilon) left in the budget this answer was charged to; null when none applies',
  })
  budgetRemaining!: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'Whose budget was charged: a licence, you today, or your address today',
  })
  budgetScope!: string | null;
  @Field({ description: 'What disclosure control did to this answer, in words' }) note!: string;
}

@ObjectType('AggregateResult')
export class AggregateResultType {
  @Field() dataset!: string;
  @Field(() => [String], { description: 'Grouped dimensions (e.g. area.district) then measures' }) columns!: string[];
  @Field(() => [AggregateRowType]) rows!: AggregateRowType[];
  @Field(() => DisclosureSummaryType) disclosure!: DisclosureSummaryType;
  @Field(() => ID, { nullable: true }) licenseId!: string | null;
  @Field(() => ID) auditEventId!: Promise<string>;
  @Field() citation!: string;
  @Field({
    description:
      'Rollup version every row was read at, per series (e.g. "cases:12,traffic:3"): one answer never mixes versions',
  })
  dataVersion!: string;
}
