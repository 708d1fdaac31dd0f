import { previousTimeCode, timeCodeAt } from './time-members.js';

describe(previousTimeCode.name, () => {
  it.each([
    ['2021', '2020'],
    ['2021-Q1', '2020-Q4'],
    ['2021-Q3', '2021-Q2'],
    ['2021-03', '2021-02'],
    ['2021-01', '2020-12'],
    ['2021-W01', '2020-W53'],
    ['2021-W10', '2021-W09'],
    ['2021-03-01', '2021-02-28'],
    ['2024-03-01', '2024-02-29'],
    ['2021-03-15T00', '2021-03-14T23'],
  ])('gives the period before %s as %s', (code, previous) => {
    expect(previousTimeCode(code)).toBe(previous);
  });

  it('refuses a code that is not a time code', () => {
    expect(previousTimeCode('2021-13')).toBeUndefined();
  });

  it('formats ISO weeks across year ends', () => {
    expect(timeCodeAt('week', new Date(Date.UTC(2021, 0, 3)))).toBe('2020-W53');
    expect(timeCodeAt('week', new Date(Date.UTC(2024, 11, 30)))).toBe('2025-W01');
  });
});
