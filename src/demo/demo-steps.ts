import { recordsDemoStep } from '../ingest/demo/records-demo.step.js';
import { licensingDemoStep } from '../licensing/licensing-demo.step.js';
import { identityDemoStep } from '../principals/identity-demo.step.js';
import { DemoStep } from '../database/demo-step.js';

/** The demo, in order: accounts, then records (with their rollups). */
export const DEMO_STEPS: DemoStep[] = [
  identityDemoStep, // organizations, one principal and API key per role
  recordsDemoStep, // synthetic cases and call traffic
  licensingDemoStep, // an approved licence for the demo researcher
];
