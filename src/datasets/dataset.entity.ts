import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type DatasetClassification = 'open' | 'restricted' | 'confidential';

/** A dimension level as published: its code and whether members are listed. */
export interface DimensionLevelDefinition {
  code: string;
  titleZh: string;
  titleEn: string;
}

export interface DimensionDefinition {
  code: string;
  titleZh: string;
  titleEn: string;
  /** Levels from coarsest to finest; one-level dimensions have exactly one. */
  levels: DimensionLevelDefinition[];
}

export interface MeasureDefinition {
  code: string;
  titleZh: string;
  titleEn: string;
  unit: string;
  definition: string;
}

export interface DisclosureSettings {
  method: string;
  threshold: number;
  [key: string]: unknown;
}

/** The published shape of a dataset: what may be grouped, filtered and measured. */
export interface DatasetDefinition {
  dimensions: DimensionDefinition[];
  measures: MeasureDefinition[];
  disclosure: DisclosureSettings;
  /** Finest level allowed per dimension, for datasets that are coarser than their source. */
  maxLevels?: Record<string, string>;
  /** The records the dataset is computed from: `cases` or `traffic` (the rollup series). */
  source?: string;
  /**
   * The province (area code) every row of the dataset lies in: one dataset, one jurisdiction, so
   * records imported from elsewhere (NYC 311 beside Jiangsu's 12345) never count in its totals.
   */
  jurisdiction?: string;
  /** The days the data cover, as published (cited with every answer, apart from the version). */
  period?: { from: string; to: string };
  /** Statutory handling limits by request kind, in calendar days (behind onTimeRate). */
  statutoryLimitDays?: Record<string, number>;
}

@Entity({ name: 'dataset' })
@Check('dataset_classification_check', `"classification" IN ('open', 'restricted', 'confidential')`)
@Check('dataset_slug_check', `"slug" ~ '^[a-z0-9][a-z0-9-]{1,62}$'`)
export class DatasetEntity {
  @PrimaryColumn({ type: 'text' })
  slug!: string;

  @Column({ name: 'title_zh', type: 'text' })
  titleZh!: string;

  @Column({ name: 'title_en', type: 'text' })
  titleEn!: string;

  @Column({ name: 'description_zh', type: 'text' })
  descriptionZh!: string;

  @Column({ name: 'description_en', type: 'text' })
  descriptionEn!: string;

  @Column({ type: 'text' })
  publisher!: string;

  @Column({ name: 'version_date', type: 'date' })
  versionDate!: string;

  @Column({ type: 'text' })
  classification!: DatasetClassification;

  @Column({ name: 'terms_of_use', type: 'text' })
  termsOfUse!: string;

  @Column({ type: 'jsonb' })
  definition!: DatasetDefinition;

  @Column({ type: 'boolean', default: true })
  published!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
