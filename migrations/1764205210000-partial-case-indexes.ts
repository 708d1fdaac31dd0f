import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smaller records: the indexes on the repeat link, the caller and the reply fingerprint leave out
 * the cases without one (most cases repeat nothing; imports without callers or replies, such as
 * NYC 311, have none). Every query that uses them compares the column with `=`, which the planner
 * knows implies IS NOT NULL, so the partial indexes serve them as before.
 */
const INDEXES: [name: string, columns: string, column: string][] = [
  ['case_record_repeat_of_idx', '"repeat_of_id"', 'repeat_of_id'],
  ['case_record_caller_received_idx', '"caller_pseudonym", "received_at"', 'caller_pseudonym'],
  ['case_record_reply_fingerprint_idx', '"reply_fingerprint"', 'reply_fingerprint'],
];

export class PartialCaseIndexes1764205210000 implements MigrationInterface {
  name = 'PartialCaseIndexes1764205210000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, columns, column] of INDEXES) {
      await queryRunner.query(`DROP INDEX "${name}"`);
      await queryRunner.query(`CREATE INDEX "${name}" ON "case_record" (${columns}) WHERE "${column}" IS NOT NULL`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name, columns] of INDEXES) {
      await queryRunner.query(`DROP INDEX "${name}"`);
      await queryRunner.query(`CREATE INDEX "${name}" ON "case_record" (${columns})`);
    }
  }
}
