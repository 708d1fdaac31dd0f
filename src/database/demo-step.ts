import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';

export interface DemoCredential {
  role: string;
  name: string;
  apiKey: string;
}

export interface DemoContext {
  dataSource: DataSource;
  config: AppConfig;
  log: (line: string) => void;
  /**
   * API keys created by the steps: printed once when the demo is loaded, stored nowhere (the
   * database keeps their hashes) and valid for DEMO_KEY_DAYS days.
   */
  credentials: DemoCredential[];
}

/** One piece of the demo. Each feature contributes its own step in `demo-steps.ts`. */
export interface DemoStep {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}
