import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const ORGANIZATION_KINDS = ['hotline-centre', 'department', 'university', 'institute', 'audit-office'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** Where a principal works: the hotline centre, a department, a university, an institute or an audit office. */
@Entity({ name: 'organization' })
@Check(
  'organization_kind_check',
  `"kind" IN ('hotline-centre', 'department', 'university', 'institute', 'audit-office')`,
)
@Check('organization_department_code_check', `("kind" = 'department') = ("department_code" IS NOT NULL)`)
export class OrganizationEntity {
  /** Set by the service (crypto.randomUUID), so no database extension is needed. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  kind!: OrganizationKind;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh!: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;

  /**
   * For departments: the handling-department code of their cases (`department.code`),
   * which scopes what the department role sees in detail. Not a foreign key: reference
   * departments may be loaded after the organization is created.
   */
  @Column({ name: 'department_code', type: 'text', nullable: true })
  departmentCode!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
