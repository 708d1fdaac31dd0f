import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Hourly call traffic per city: calls offered, answered and abandoned. */
@Entity({ name: 'call_traffic' })
@Check(
  'call_traffic_counts_check',
  `"calls_answered" + "calls_abandoned" <= "calls_offered" AND "calls_answered" >= 0 AND "calls_abandoned" >= 0`,
)
export class CallTrafficEntity {
  @PrimaryColumn({ name: 'city_code', type: 'text' })
  cityCode!: string;

  /** Start of the hour. */
  @PrimaryColumn({ name: 'hour_start', type: 'timestamptz' })
  hourStart!: Date;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'calls_offered', type: 'integer' })
  callsOffered!: number;

  @Column({ name: 'calls_answered', type: 'integer' })
  callsAnswered!: number;

  @Column({ name: 'calls_abandoned', type: 'integer' })
  callsAbandoned!: number;
}
