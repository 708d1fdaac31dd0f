import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `disclosure_charge_query`: the distinct-query budget charged in one statement (one round trip,
 * no explicit transaction) instead of BEGIN, two upserts and COMMIT. Same steps, same locks: the
 * query's `disclosure_query_seen` row is inserted first (a concurrent request with the same query
 * waits on it, then finds it: a repeat is free); a new query then adds one to `disclosure_budget`
 * only while that stays within the limit (the upsert's row lock serializes concurrent charges on
 * every instance); when it does not, the seen row is deleted again, as the rolled-back transaction
 * did, so a refused query stays uncharged and unseen. Returns what is spent after the call (for a
 * repeat: what was spent before), or NULL when the budget is used up.
 */
export class ChargeDistinctQuery1764205600000 implements MigrationInterface {
  name = 'ChargeDistinctQuery1764205600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION disclosure_charge_query(p_holder text, p_dataset text, p_period text, p_hash text, p_limit numeric)
      RETURNS numeric LANGUAGE plpgsql AS $$
      DECLARE
        v_spent numeric;
      BEGIN
        INSERT INTO disclosure_query_seen (holder, dataset_slug, period, query_hash)
        VALUES (p_holder, p_dataset, p_period, p_hash) ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          SELECT spent INTO v_spent FROM disclosure_budget
           WHERE holder = p_holder AND dataset_slug = p_dataset AND kind = 'queries' AND period = p_period;
          RETURN coalesce(v_spent, 0);
        END IF;
        INSERT INTO disclosure_budget (holder, dataset_slug, kind, period, spent)
        VALUES (p_holder, p_dataset, 'queries', p_period, 1)
        ON CONFLICT (holder, dataset_slug, kind, period) DO UPDATE SET spent = disclosure_budget.spent + 1
          WHERE disclosure_budget.spent + 1 <= p_limit
        RETURNING spent INTO v_spent;
        IF NOT FOUND THEN
          DELETE FROM disclosure_query_seen
           WHERE holder = p_holder AND dataset_slug = p_dataset AND period = p_period AND query_hash = p_hash;
          RETURN NULL;
        END IF;
        RETURN v_spent;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION disclosure_charge_query(text, text, text, text, numeric)`);
  }
}
