import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

/**
 * The central interval of Binomial(trials, p) holding at least `level` of its probability, exact
 * (from the binomial distribution itself, not a normal approximation): [low, high] successes with
 * P(X < low) <= (1 - level) / 2 and P(X > high) <= (1 - level) / 2.
 */
export function binomialInterval(trials: number, p: number, level = 0.999): [number, number] {
  const tail = (1 - level) / 2;
  let low = 0;
  while (low < trials && binomialCdf(low, trials, p) <= tail) low++;
  let high = trials;
  while (high > 0 && 1 - binomialCdf(high - 1, trials, p) <= tail) high--;
  return [low, high];
}

/**
 * Whether `successes` in `trials` fit a documented rate `p`: inside its exact 99.9% binomial
 * interval. Returned as an object so that a failing expect shows the numbers.
 */
export function rateCheck(
  successes: number,
  trials: number,
  p: number,
  level = 0.999,
): { successes: number; trials: number; p: number; interval: [number, number]; inside: boolean } {
  const interval = binomialInterval(trials, p, level);
  return { successes, trials, p, interval, inside: successes >= interval[0] && successes <= interval[1] };
}
