import { Global, Module } from '@nestjs/common';
import { ReadRouter } from './read-router.js';
import { RollupChangeListener } from './rollup-change-listener.js';

/** Where reads go (primary or replicas) and how this instance hears of other instances' rollup rebuilds. */
@Global()
@Module({ providers: [ReadRouter, RollupChangeListener], exports: [ReadRouter] })
export class DatabaseModule {}
