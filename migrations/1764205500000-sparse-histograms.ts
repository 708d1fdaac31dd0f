import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smaller rollups: an empty bucket of a case cube's handling-time histogram (`hist`) is stored as
 * NULL instead of 0. PostgreSQL stores no bytes for a NULL array element (only a bit in the
 * array's null bitmap), so the histogram of a cell with one case takes 36 bytes instead of 116;
 * the fine cube holds about one cell per case. Sums skip NULLs and the readers take NULL as 0
 * (src/aggregate/aggregate.service.ts), so every answer is unchanged. The refresher writes the new
 * form (src/catalog/base-columns.ts); this converts the cells already built, and `down`
 * writes the zeros back.
 */
async function caseCubes(queryRunner: QueryRunner): Promise<string[]> {
  const rows = (await queryRunner.query(
    `SELECT table_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'hist' AND data_type = 'ARRAY'
       AND table_name LIKE 'rollup\\_%' ORDER BY 1`,
  )) as { name: string }[];
  return rows.map((r) => r.name);
}

export class SparseHistograms1764205500000 implements MigrationInterface {
  name = 'SparseHistograms1764205500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of await caseCubes(queryRunner)) {
      await queryRunner.query(
        `UPDATE "${table}" SET "hist" = ARRAY(SELECT nullif(x, 0) FROM unnest("hist") WITH ORDINALITY u(x, o) ORDER BY o)
         WHERE 0 = ANY("hist")`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of await caseCubes(queryRunner)) {
      await queryRunner.query(
        `UPDATE "${table}" SET "hist" = ARRAY(SELECT coalesce(x, 0) FROM unnest("hist") WITH ORDINALITY u(x, o) ORDER BY o)
         WHERE array_position("hist", NULL) IS NOT NULL`,
      );
    }
  }
}
