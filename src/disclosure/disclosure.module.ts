import { Global, Module } from '@nestjs/common';
import { QueryBudgetService } from './query-budget.service.js';

@Global()
@Module({ providers: [QueryBudgetService], exports: [QueryBudgetService] })
export class DisclosureModule {}
