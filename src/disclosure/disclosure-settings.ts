/**
 * Per-dataset disclosure settings, stored in the catalog (`dataset.definition.disclosure`).
 * See docs/disclosure-control.md for what each guarantees and how to change them.
 */
export type DisclosureMethod = 'none' | 'threshold' | 'cell-key' | 'differential-privacy';

export interface DisclosureConfig {
  method: DisclosureMethod;
  /** Cells counting fewer records than this are released as null (suppressed). */
  threshold: number;
  /** Cell key method: largest perturbation added to a count (D). */
  maxNoise: number;
  /** Cell key method: variance of the perturbation (before the support is cut to ±D). */
  noiseVariance: number;
  /** Distinct queries a licence may make against the dataset (averaging defence); 0 = unlimited. */
  queryBudget: number;
  /** Distinct queries an address may make per day without credentials (averaging defence); 0 = unlimited. */
  publicDailyBudget: number;
  /**
   * Distinct queries a signed-in principal may make per day without a licence, on data it does not
   * hold (a department on other departments' cases); 0 = unlimited.
   */
  principalDailyBudget: number;
  /** Differential privacy: epsilon each query spends. */
  epsilonPerQuery: number;
  /** Differential privacy: total epsilon a licence may spend on the dataset. */
  epsilonBudget: number;
}

/**
 * Daily budgets of distinct queries, sized from the averaging attack measured in
 * test/disclosure-attacks.e2e-spec.ts (docs/disclosure-control.md, "Budgets").
 */
export const PUBLIC_DAILY_BUDGET = 100;
export const PRINCIPAL_DAILY_BUDGET = 300;

export const DEFAULT_DISCLOSURE: Record<'open' | 'restricted' | 'confidential', DisclosureConfig> = {
  open: {
    method: 'cell-key',
    threshold: 20,
    maxNoise: 6,
    noiseVariance: 6,
    queryBudget: 0,
    publicDailyBudget: PUBLIC_DAILY_BUDGET,
    principalDailyBudget: PRINCIPAL_DAILY_BUDGET,
    epsilonPerQuery: 0.1,
    epsilonBudget: 10,
  },
  restricted: {
    method: 'cell-key',
    threshold: 10,
    maxNoise: 6,
    noiseVariance: 6,
    queryBudget: 2000,
    publicDailyBudget: PUBLIC_DAILY_BUDGET,
    principalDailyBudget: PRINCIPAL_DAILY_BUDGET,
    epsilonPerQuery: 0.1,
    epsilonBudget: 10,
  },
  confidential: {
    method: 'differential-privacy',
    threshold: 10,
    maxNoise: 6,
    noiseVariance: 6,
    queryBudget: 500,
    publicDailyBudget: PUBLIC_DAILY_BUDGET,
    principalDailyBudget: PRINCIPAL_DAILY_BUDGET,
    epsilonPerQuery: 0.1,
    epsilonBudget: 5,
  },
};

const METHODS: DisclosureMethod[] = ['none', 'threshold', 'cell-key', 'differential-privacy'];

/** Fills defaults and checks ranges; returns problems a steward can act on. */
export function normalizeDisclosure(
  raw: { method?: string; [key: string]: unknown },
  classification: 'open' | 'restricted' | 'confidential',
): { config: DisclosureConfig; problems: string[] } {
  const base = DEFAULT_DISCLOSURE[classification];
  const num = (key: Exclude<keyof DisclosureConfig, 'method'>): number => {
    const value = raw[key];
    return typeof value === 'number' ? value : base[key];
  };
  const config: DisclosureConfig = {
    method: (raw.method ?? base.method) as DisclosureMethod,
    threshold: num('threshold'),
    maxNoise: num('maxNoise'),
    noiseVariance: num('noiseVariance'),
    queryBudget: num('queryBudget'),
    publicDailyBudget: num('publicDailyBudget'),
    principalDailyBudget: num('principalDailyBudget'),
    epsilonPerQuery: num('epsilonPerQuery'),
    epsilonBudget: num('epsilonBudget'),
  };
  const problems: string[] = [];
  if (!METHODS.includes(config.method)) problems.push(`method must be one of ${METHODS.join(', ')}`);
  if (!Number.isInteger(config.threshold) || config.threshold < 0 || config.threshold > 1000) {
    problems.push('threshold must be a whole number from 0 to 1000');
  }
  if (classification !== 'open' || config.method !== 'none') {
    // Open data is the public face: never below 20, never unprotected.
    if (classification === 'open' && config.threshold < 20)
      problems.push('open datasets need a threshold of at least 20');
  }
  if (!Number.isInteger(config.maxNoise) || config.maxNoise < 1 || config.maxNoise > 20) {
    problems.push('maxNoise must be a whole number from 1 to 20');
  }
  if (!(config.noiseVariance > 0 && config.noiseVariance <= 100))
    problems.push('noiseVariance must be above 0 and at most 100');
  for (const key of ['queryBudget', 'publicDailyBudget', 'principalDailyBudget'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0) problems.push(`${key} must be a whole number, 0 for none`);
  }
  if (!(config.epsilonPerQuery > 0 && config.epsilonPerQuery <= 10))
    problems.push('epsilonPerQuery must be above 0 and at most 10');
  if (!(config.epsilonBudget >= config.epsilonPerQuery))
    problems.push('epsilonBudget must be at least epsilonPerQuery');
  return { config, problems };
}
