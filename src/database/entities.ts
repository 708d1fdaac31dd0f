import { DatasetEntity } from '../datasets/dataset.entity.js';

/** Every TypeORM entity, in one list: the schema-drift test compares these with the migrations. */
export const entities = [DatasetEntity];
