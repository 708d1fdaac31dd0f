import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AreaLevel } from './records.constants.js';

/**
 * Administrative areas: province, city, district, street. Chinese areas use the national
 * administrative division codes (Suzhou 320500); other sources use their own stable codes.
 */
@Entity({ name: 'area' })
@Check('area_level_check', `"level" IN ('province', 'city', 'district', 'street')`)
export class AreaEntity {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  level!: AreaLevel;

  @Index('area_parent_idx')
  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode!: string | null;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh!: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;
}
