import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ReadRouter } from '../database/read-router.js';
import type { DataSource } from 'typeorm';
import { MemberDirectory, ReferenceRow } from '../catalog/member-directory.js';
import { rollupGeneration } from '../database/rollup-version.js';

/** How long a snapshot of the reference tables is trusted when nothing changed in this process. */
const TTL_MS = 10_000;

/**
 * Members and labels of every dimension level, from the reference tables. Cached: the tables change
 * only with imports, which refresh the rollups (and so bump the generation) in the same process;
 * other instances pick changes up within the TTL.
 */
@Injectable()
export class MembersService {
  /** The snapshot being read or read, per process-local rollup generation, for TTL_MS. */
  private readonly snapshots = new LRUCache<number, Promise<MemberDirectory>>({
    max: 1,
    ttl: TTL_MS,
    perf: { now: () => Date.now() },
  });

  constructor(private readonly reads: ReadRouter) {}

  directory(): Promise<MemberDirectory> {
    const generation = rollupGeneration();
    const cached = this.snapshots.get(generation);
    if (cached) return cached;
    const directory = this.load();
    this.snapshots.set(generation, directory);
    directory.catch(() => {
      if (this.snapshots.peek(generation) === directory) this.snapshots.delete(generation);
    });
    return directory;
  }

  private load(): Promise<MemberDirectory> {
    // Read on a replica where there is one (the reference tables change only with imports).
    return this.reads.read('members', (dataSource) => this.loadFrom(dataSource));
  }

  private async loadFrom(dataSource: DataSource): Promise<MemberDirectory> {
    const [areas, categories, departments, topics, categoryUse] = await Promise.all([
      dataSource.query<ReferenceRow[]>(`SELECT code, level, name_zh, name_en, parent_code FROM area`),
      dataSource.query<ReferenceRow[]>(
        `SELECT code, level::text AS level, name_zh, name_en, parent_code FROM category`,
      ),
      dataSource.query<ReferenceRow[]>(
        `SELECT code, 'department' AS level, name_zh, name_en, area_code AS parent_code FROM department`,
      ),
      dataSource.query<{ keyword: string }[]>(`SELECT keyword FROM topic_vocabulary ORDER BY keyword`),
      // Which provinces' records use each top-level category (the smallest cube that keeps both),
      // so a dataset lists the categories of its own jurisdiction, not those an import from
      // elsewhere brought in.
      dataSource.query<{ province: string; category: string }[]>(
        `SELECT DISTINCT province_code AS province, category_l1 AS category FROM rollup_cases_day_city`,
      ),
    ]);
    return new MemberDirectory(
      areas,
      categories,
      departments,
      topics.map((t) => t.keyword),
      categoryUse,
    );
  }
}
