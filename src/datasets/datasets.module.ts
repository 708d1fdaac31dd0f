import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetEntity } from './dataset.entity.js';
import { DatasetsResolver } from './datasets.resolver.js';
import { DatasetsService } from './datasets.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([DatasetEntity])],
  providers: [DatasetsResolver, DatasetsService],
  exports: [DatasetsService],
})
export class DatasetsModule {}
