import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Business categories, three levels (一级/二级/三级分类); codes are dotted paths: `ENV`, `ENV.NOISE`, `ENV.NOISE.NIGHT`. */
@Entity({ name: 'category' })
@Check('category_level_check', `"level" BETWEEN 1 AND 3`)
export class CategoryEntity {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ type: 'smallint' })
  level!: number;

  @Index('category_parent_idx')
  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode!: string | null;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh!: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;
}
