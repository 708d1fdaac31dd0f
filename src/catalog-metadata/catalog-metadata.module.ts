import { Module } from '@nestjs/common';
import { AggregateModule } from '../aggregate/aggregate.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { CatalogController } from './catalog.controller.js';
import { CatalogMetadataService } from './catalog-metadata.service.js';
import { CoverageService } from './coverage.service.js';
import { CsvwController } from './csvw.controller.js';

/** Open-data metadata: the DCAT catalog (JSON-LD, Turtle) and CSVW descriptions of CSV exports. */
@Module({
  imports: [DatasetsModule, AggregateModule],
  controllers: [CatalogController, CsvwController],
  providers: [CatalogMetadataService, CoverageService],
})
export class CatalogMetadataModule {}
