import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Handling departments (承办单位), e.g. a city's housing bureau. */
@Entity({ name: 'department' })
export class DepartmentEntity {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh!: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;

  /** The area the department serves (a city or district), when known. */
  @Column({ name: 'area_code', type: 'text', nullable: true })
  areaCode!: string | null;
}
