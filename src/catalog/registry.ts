/**
 * The registry: every dimension level, measure and rollup the engine knows, with the SQL
 * identifiers they map to. Queries name catalog codes; SQL identifiers come only from here.
 * Dimensions, cubes and measures each live in their own file; this module is the one entry.
 */
export * from './series.js';
export * from './dimensions.js';
export * from './base-columns.js';
export * from './cubes.js';
export * from './measures.js';
export * from './statutory-limits.js';
