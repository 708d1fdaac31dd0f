import { CallerPseudonymizer } from '../../pii/caller-pseudonymizer.js';
import { PiiScrubber } from '../../pii/pii-scrubber.js';
import { ReferenceIndex } from '../reference-index.js';

/** What a profile needs to map rows: reference data, the scrubber, the pseudonymizer, the source name. */
export interface ProfileContext {
  refs: ReferenceIndex;
  scrubber: PiiScrubber;
  pseudonymizer: CallerPseudonymizer;
  source: string;
  /** The import's clock for "in the future" (default: when the profile is bound); worker threads get the main thread's. */
  now?: number;
}

export const PROFILES = ['12345', 'nyc311', 'jsonl', 'traffic'] as const;
export type ProfileName = (typeof PROFILES)[number];

export const DEFAULT_SOURCES: Record<ProfileName, string> = {
  '12345': 'jiangsu-12345',
  nyc311: 'nyc311',
  jsonl: 'jsonl',
  traffic: 'jiangsu-12345',
};
