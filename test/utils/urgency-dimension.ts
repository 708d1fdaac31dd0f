import { DIMENSIONS, SERIES_DIMENSIONS } from '../../src/catalog/dimensions.js';

/**
 * Step 1 of the recipe "add a dimension" (docs/architecture.md), as test/recipe-dimension.e2e-spec.ts
 * takes it: the registry entry of a new dimension, `urgency`, and the one line that lets the cases
 * series offer it. Imported before anything else of the gateway, so everything derived from the
 * registry (the fine cube's columns, the refresher's SQL, the member directory) is derived with it,
 * as if the entry were written in src/catalog/dimensions.ts.
 */
export const URGENCY_VOCABULARY = {
  normal: ['普通', 'Normal'],
  urgent: ['紧急', 'Urgent'],
} as const;

DIMENSIONS.push({
  code: 'urgency',
  titleZh: '紧急程度',
  titleEn: 'Urgency',
  levels: [
    {
      code: 'urgency',
      titleZh: '紧急程度',
      titleEn: 'Urgency',
      column: 'urgency',
      members: 'vocabulary',
      vocabulary: URGENCY_VOCABULARY,
      optional: true,
    },
  ],
});
SERIES_DIMENSIONS.cases.urgency = 'urgency';
