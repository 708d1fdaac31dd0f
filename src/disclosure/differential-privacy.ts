import { randomBytes } from 'node:crypto';

/**
 * The two-sided geometric mechanism: the integer-valued Laplace mechanism. A group-by count
 * query has sensitivity 1 (each record falls in exactly one cell), so adding noise with
 * parameter exp(-epsilon) to every cell is epsilon-differentially private for the whole table.
 */
export type UniformSource = () => number;

/** Uniform in (0, 1) from the operating system's CSPRNG (noise must not be predictable). */
export const cryptoUniform: UniformSource = () => {
  const n = randomBytes(6).readUIntBE(0, 6);
  return (n + 0.5) / 2 ** 48;
};

function geometric(alpha: number, uniform: UniformSource): number {
  // Number of failures before the first success, success probability 1 - alpha.
  return Math.floor(Math.log(uniform()) / Math.log(alpha));
}

export function geometricNoise(epsilon: number, uniform: UniformSource = cryptoUniform): number {
  const alpha = Math.exp(-epsilon);
  return geometric(alpha, uniform) - geometric(alpha, uniform);
}

/** Continuous Laplace noise of the given scale (sensitivity / epsilon), for sums. */
export function laplaceNoise(scale: number, uniform: UniformSource = cryptoUniform): number {
  const u = uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}
