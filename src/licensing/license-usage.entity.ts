import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Queries made under a licence per day (Asia/Shanghai), for the daily quota. */
@Entity({ name: 'license_usage' })
export class LicenseUsageEntity {
  @PrimaryColumn({ name: 'license_id', type: 'bigint' })
  licenseId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'integer', default: 0 })
  queries!: number;
}
