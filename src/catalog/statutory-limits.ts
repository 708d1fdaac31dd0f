/**
 * Statutory handling limits by request kind, in calendar days (working days are approximated as
 * calendar days; see docs/aggregate.md). A closed case is on time when closed within its limit.
 */
export const STATUTORY_LIMIT_DAYS: Record<string, number> = {
  consultation: 1,
  help: 5,
  complaint: 5,
  report: 5,
  suggestion: 10,
  praise: 10,
};
