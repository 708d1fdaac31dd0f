import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MemberDirectory, ReferenceRow } from './member-directory.js';
import { rollupGeneration } from '../aggregate/rollup-refresher.js';

/** How long a snapshot of the reference tables is trusted when nothing changed in this process. */
const TTL_MS = 10_000;

/**
 * Members and labels of every dimension level, from the reference tables. Cached: the tables change
 * only with imports, which refresh the rollups (and so bump the generation) in the same process;
 * other instances pick changes up within the TTL.
 */
@Injectable()
export class MembersService {
  private cached?: { at: number; generation: number; directory: Promise<MemberDirectory> };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  directory(): Promise<MemberDirectory> {
    const now = Date.now();
    const c = this.cached;
    if (c && now - c.at < TTL_MS && c.generation === rollupGeneration()) return c.directory;
    const directory = this.load();
    this.cached = { at: now, generation: rollupGeneration(), directory };
    directory.catch(() => (this.cached = undefined));
    return directory;
  }

  private async load(): Promise<MemberDirectory> {
    const [areas, categories, departments, topics] = await Promise.all([
      this.dataSource.query<ReferenceRow[]>(`SELECT code, level, name_zh, name_en, parent_code FROM area`),
      this.dataSource.query<ReferenceRow[]>(
        `SELECT code, level::text AS level, name_zh, name_en, parent_code FROM category`,
      ),
      this.dataSource.query<ReferenceRow[]>(
        `SELECT code, 'department' AS level, name_zh, name_en, area_code AS parent_code FROM department`,
      ),
      this.dataSource.query<{ keyword: string }[]>(`SELECT keyword FROM topic_vocabulary ORDER BY keyword`),
    ]);
    return new MemberDirectory(
      areas,
      categories,
      departments,
      topics.map((t) => t.keyword),
    );
  }
}
