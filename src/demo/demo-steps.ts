import { recordsDemoStep } from '../ingest/demo/records-demo.step.js';
import { DemoStep } from './demo-step.js';

/** The demo, in order. Features add their step here (records, accounts, licences, ...). */
export const DEMO_STEPS: DemoStep[] = [recordsDemoStep];
