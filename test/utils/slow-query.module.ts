import { Module } from '@nestjs/common';
import { Args, Float, Int, Query, Resolver } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Allow } from '../../src/access-policy/allow.decorator.js';
import { withStatementTimeout } from '../../src/database/statement-timeout.js';

/** Test-only: deliberately slow SQL, to prove statements are cancelled and answered cleanly. */
@Resolver()
export class SlowQueryResolver {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Query(() => Boolean, { description: 'test only: pg_sleep under the pool-wide statement timeout' })
  @Allow('read:Catalog')
  async sleepInPool(@Args('seconds', { type: () => Float }) seconds: number): Promise<boolean> {
    await this.dataSource.query('SELECT pg_sleep($1)', [seconds]);
    return true;
  }

  @Query(() => Boolean, { description: 'test only: pg_sleep under a tighter, per-call statement timeout' })
  @Allow('read:Catalog')
  async sleepTight(
    @Args('seconds', { type: () => Float }) seconds: number,
    @Args('timeoutMs', { type: () => Int }) timeoutMs: number,
  ): Promise<boolean> {
    await withStatementTimeout(this.dataSource, timeoutMs, (manager) =>
      manager.query('SELECT pg_sleep($1)', [seconds]),
    );
    return true;
  }
}

@Module({ providers: [SlowQueryResolver] })
export class SlowQueryModule {}
