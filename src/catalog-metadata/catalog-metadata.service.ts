import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import type { Series } from '../catalog/registry.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { CoverageService } from './coverage.service.js';
import { buildCatalog, type Coverage } from './dcat-catalog.js';
import type { RdfNode } from './rdf-graph.js';

/** The DCAT catalog of the datasets this caller may see (the same ones `datasets` lists, published only). */
@Injectable()
export class CatalogMetadataService {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly coverage: CoverageService,
  ) {}

  async catalog(actor: Actor, baseUrl: string): Promise<RdfNode[]> {
    const visible = (await this.datasets.list(actor)).filter((d) => d.published);
    const bySeries = new Map<string, Promise<Coverage>>();
    const coverageOf = (series: string, jurisdiction: string | null) => {
      const key = `${series}:${jurisdiction ?? ''}`;
      let c = bySeries.get(key);
      if (!c) bySeries.set(key, (c = this.coverage.of(series as Series, jurisdiction ?? undefined)));
      return c;
    };
    const datasets = await Promise.all(
      visible.map(async (dataset) => ({ dataset, coverage: await coverageOf(dataset.source, dataset.jurisdiction) })),
    );
    return buildCatalog({ baseUrl, datasets });
  }
}
