import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CUBES, dimensionSpec, type Series } from '../catalog/registry.js';
import { MembersService } from '../datasets/members.service.js';
import type { Coverage } from './dcat-catalog.js';

/**
 * Temporal and spatial coverage of a series (cases, traffic), read from its coarsest monthly
 * rollup: the first and last month with data, and the provinces present. Metadata at the
 * coarsest detail there is; no record is read.
 */
@Injectable()
export class CoverageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MembersService,
  ) {}

  /** With a jurisdiction (a province code), the coverage of that province's rows only. */
  async of(series: Series, jurisdiction?: string): Promise<Coverage> {
    const cube = CUBES.find((c) => c.series === series && c.grain === 'month' && c.dimensions.area !== undefined);
    const province = dimensionSpec('area')?.levels.find((l) => l.code === 'province');
    if (!cube || !province?.column) return { from: null, to: null, areas: [] };
    // Table and column names come from the registry, never from a caller.
    const [row] = await this.dataSource.query<{ first: string | null; last: string | null; areas: string[] | null }[]>(
      `SELECT to_char(min(t), 'YYYY-MM-DD') AS first,
              to_char(date_trunc('month', max(t)) + interval '1 month - 1 day', 'YYYY-MM-DD') AS last,
              array_agg(DISTINCT "${province.column}") FILTER (WHERE "${province.column}" IS NOT NULL) AS areas
         FROM "${cube.table}"
        WHERE $1::text IS NULL OR "${province.column}" = $1`,
      [jurisdiction ?? null],
    );
    const directory = await this.members.directory();
    return {
      from: row?.first ?? null,
      to: row?.last ?? null,
      areas: (row?.areas ?? []).sort().map((code) => {
        const [labelZh, labelEn] = directory.label(province, code);
        return { code, labelZh, labelEn };
      }),
    };
  }
}
