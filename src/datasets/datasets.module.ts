import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetEntity } from './dataset.entity.js';
import { DatasetsResolver, DimensionLevelResolver } from './datasets.resolver.js';
import { DatasetsService } from './datasets.service.js';
import { MembersService } from './members.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([DatasetEntity])],
  providers: [DatasetsResolver, DimensionLevelResolver, DatasetsService, MembersService],
  exports: [DatasetsService, MembersService],
})
export class DatasetsModule {}
