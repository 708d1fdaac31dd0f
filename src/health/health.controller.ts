import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Allow } from '../access-policy/allow.decorator.js';

@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The process is up. */
  @Get('healthz')
  @Allow('read:Health')
  @HttpCode(200)
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** The database answers and every migration is applied. */
  @Get('readyz')
  @Allow('read:Health')
  async readyz(@Res() res: Response): Promise<void> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2_000);
      const pending = await withTimeout(this.dataSource.showMigrations(), 2_000);
      if (pending) {
        res.status(503).json({ status: 'not ready', reason: 'migrations pending; run `hotline-gateway migrate`' });
        return;
      }
      res.status(200).json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
