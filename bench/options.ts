/** Argument parsers shared by the bench entry points (each parses its arguments with commander). */
import { InvalidArgumentError } from 'commander';

/** A commander parser for a whole number of at least `min`. */
export const wholeNumber =
  (min = 1) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`a whole number of at least ${min}`);
    return n;
  };
