import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Actor } from '../access-policy/actor.js';
import { DatasetEntity } from './dataset.entity.js';
import { DatasetType } from './dto/dataset.type.js';

@Injectable()
export class DatasetsService {
  constructor(@InjectRepository(DatasetEntity) private readonly datasets: Repository<DatasetEntity>) {}

  /** The catalog as this caller may see it: the public sees open datasets only. */
  async list(actor: Actor): Promise<DatasetType[]> {
    const rows = await this.datasets.find({ where: this.visibleTo(actor), order: { slug: 'ASC' } });
    return rows.map((row) => this.map(row));
  }

  async findOne(actor: Actor, slug: string): Promise<DatasetType | null> {
    const row = await this.datasets.findOne({ where: { ...this.visibleTo(actor), slug } });
    return row ? this.map(row) : null;
  }

  private visibleTo(actor: Actor) {
    return actor.role === 'public' ? { published: true, classification: 'open' as const } : { published: true };
  }

  private map(row: DatasetEntity): DatasetType {
    return {
      slug: row.slug,
      titleZh: row.titleZh,
      titleEn: row.titleEn,
      descriptionZh: row.descriptionZh,
      descriptionEn: row.descriptionEn,
      publisher: row.publisher,
      versionDate: row.versionDate,
      classification: row.classification,
      termsOfUse: row.termsOfUse,
      dimensions: row.definition.dimensions,
      measures: row.definition.measures,
      disclosure: { method: row.definition.disclosure.method, threshold: row.definition.disclosure.threshold },
      licenseRequired: row.classification !== 'open',
    };
  }
}
