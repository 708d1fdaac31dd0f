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
  /** Credentials created by the steps; kept in DATA_DIR/demo-credentials.json (never in the database). */
  credentials: DemoCredential[];
}

/** One piece of the demo. Each feature contributes its own step in `demo-steps.ts`. */
export interface DemoStep {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}
