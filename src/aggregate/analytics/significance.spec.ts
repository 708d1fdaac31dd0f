import { benjaminiHochberg, binomialUpperTail } from './significance.js';

describe(binomialUpperTail.name, () => {
  it('gives exact binomial tails', () => {
    // P(X >= 8 | n = 10, p = 0.5) = (45 + 10 + 1) / 1024
    expect(binomialUpperTail(8, 10, 0.5)).toBeCloseTo(56 / 1024, 12);
    expect(binomialUpperTail(0, 10, 0.3)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.3)).toBe(0);
  });

  it('keeps tiny p-values instead of rounding them to zero', () => {
    const p = binomialUpperTail(95, 100, 0.5);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-20);
  });
});

describe(benjaminiHochberg.name, () => {
  it('rejects the largest k with p(k) <= k q / m, and everything ranked before it', () => {
    // m = 5 tested, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05.
    const sut = benjaminiHochberg([0.011, 0.5, 0.019, null, 0.04, 0.9], 0.05);
    expect(sut).toEqual([true, false, true, false, false, false]);
  });

  it('rejects nothing when no p-value is small enough', () => {
    expect(benjaminiHochberg([0.2, 0.3, null], 0.05)).toEqual([false, false, false]);
  });
});
