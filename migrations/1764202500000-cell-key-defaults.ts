import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case datasets move from plain threshold suppression to the cell key method with a budget of
 * distinct queries per licence (docs/disclosure-control.md). Call traffic stays unprotected:
 * calls per city and hour are not about people.
 */
export class CellKeyDefaults1764202500000 implements MigrationInterface {
  name = 'CellKeyDefaults1764202500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const set = async (slug: string, disclosure: Record<string, unknown>): Promise<void> => {
      await queryRunner.query(
        `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{disclosure}', "definition"->'disclosure' || $2::jsonb) WHERE "slug" = $1`,
        [slug, JSON.stringify(disclosure)],
      );
    };
    await set('hotline-cases', { method: 'cell-key', threshold: 10, maxNoise: 3, noiseVariance: 2, queryBudget: 2000 });
    await set('hotline-cases-open', {
      method: 'cell-key',
      threshold: 20,
      maxNoise: 3,
      noiseVariance: 2,
      queryBudget: 0,
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [slug, threshold] of [
      ['hotline-cases', 10],
      ['hotline-cases-open', 20],
    ] as const) {
      await queryRunner.query(
        `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{disclosure}', jsonb_build_object('method', 'threshold', 'threshold', $2::int)) WHERE "slug" = $1`,
        [slug, threshold],
      );
    }
  }
}
