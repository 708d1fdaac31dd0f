import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AggregateCell')
export class AggregateCellType {
  @Field() measure!: string;
  @Field(() => Float, { nullable: true, description: 'Null when suppressed or undefined (e.g. a rate over no cases)' })
  value!: number | null;
  @Field(() => [String], { description: 'e.g. suppressed, perturbed' }) flags!: string[];
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
  @Field() method!: string;
  @Field(() => Int) threshold!: number;
  @Field(() => Int) suppressedCells!: number;
  @Field(() => Float, { nullable: true }) budgetRemaining!: number | null;
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
