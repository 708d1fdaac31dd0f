import type { MessageKey } from '../messages';

/**
 * Cell flags are an open list: the gateway may add new ones. Known flags get a symbol and a
 * sentence; any other flag is shown by its name (with a generic mark), never dropped.
 */
const KNOWN: Record<string, { symbol: string; text: MessageKey }> = {
  suppressed: { symbol: '✕', text: 'flag.suppressed' },
  perturbed: { symbol: '≈', text: 'flag.perturbed' },
  noisy: { symbol: '±', text: 'flag.noisy' },
  rounded: { symbol: '~', text: 'flag.rounded' },
  persistent: { symbol: '↻', text: 'flag.persistent' },
  emerging: { symbol: '↗', text: 'flag.emerging' },
  surge: { symbol: '▲', text: 'flag.surge' },
};

export interface FlagInfo {
  name: string;
  symbol: string;
  /** A message key for known flags; null for a flag this portal does not know yet. */
  text: MessageKey | null;
}

export function flagInfo(name: string): FlagInfo {
  const known = Object.prototype.hasOwnProperty.call(KNOWN, name) ? KNOWN[name] : undefined;
  return known ? { name, ...known } : { name, symbol: '•', text: null };
}

/** Shares and rates are shown as percentages; everything else as numbers. */
export function isShare(measure: string): boolean {
  return /(Rate|Share)$/.test(measure);
}
