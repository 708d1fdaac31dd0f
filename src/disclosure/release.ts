import { buildPerturbationTable, cellKeyOf, perturbation, PerturbationTable } from './cell-key.js';
import { geometricNoise, UniformSource, cryptoUniform } from './differential-privacy.js';
import type { DisclosureConfig } from './disclosure-settings.js';

/** One cell as computed from the rollups: its true record count and the sum of its record keys. */
export interface RawCell {
  count: number;
  keySum: number | bigint | string;
}

/** What may be released for a cell: the count to show (null if suppressed) and the cell's flags. */
export interface ReleasedCell {
  suppressed: boolean;
  count: number | null;
  /** `suppressed`, `perturbed` (cell key), `noisy` (differential privacy). */
  flags: string[];
  /** The cell key, so other count measures of the same cell can be perturbed consistently. */
  cellKey: number;
}

const tables = new Map<string, PerturbationTable>();
function tableFor(config: DisclosureConfig): PerturbationTable {
  const key = `${config.maxNoise}/${config.noiseVariance}`;
  let table = tables.get(key);
  if (!table) {
    table = buildPerturbationTable(config.maxNoise, config.noiseVariance);
    tables.set(key, table);
  }
  return table;
}

/**
 * Applies a dataset's disclosure method to the cells of one result. Every cell is treated on
 * its own, totals included: a total is a cell of its own records, never a sum of released cells.
 * Suppression is decided on the true count for every method, so no released cell ever has a
 * true count between 1 and the threshold.
 */
export function releaseCells(
  config: DisclosureConfig,
  cells: RawCell[],
  uniform: UniformSource = cryptoUniform,
): { cells: ReleasedCell[]; suppressedCells: number } {
  let suppressedCells = 0;
  const out = cells.map((cell): ReleasedCell => {
    const cellKey = cellKeyOf(cell.keySum);
    if (config.method !== 'none' && cell.count > 0 && cell.count < config.threshold) {
      suppressedCells++;
      return { suppressed: true, count: null, flags: ['suppressed'], cellKey };
    }
    switch (config.method) {
      case 'none':
      case 'threshold':
        return { suppressed: false, count: cell.count, flags: [], cellKey };
      case 'cell-key': {
        const noise = perturbation(tableFor(config), cellKey, cell.count, config.threshold);
        return { suppressed: false, count: cell.count + noise, flags: ['perturbed'], cellKey };
      }
      case 'differential-privacy': {
        const noisy = Math.max(config.threshold, cell.count + geometricNoise(config.epsilonPerQuery, uniform));
        return { suppressed: false, count: noisy, flags: ['noisy'], cellKey };
      }
    }
  });
  return { cells: out, suppressedCells };
}

/**
 * Perturbs another count measure of an already released cell (e.g. calls answered), with its
 * own salt so that measures of the same records get independent noise.
 */
export function releaseOtherCount(
  config: DisclosureConfig,
  cell: ReleasedCell,
  trueValue: number,
  salt: number,
): number | null {
  if (cell.suppressed) return null;
  if (config.method !== 'cell-key') return trueValue;
  return Math.max(0, trueValue + perturbation(tableFor(config), cell.cellKey, trueValue, 0, salt));
}
