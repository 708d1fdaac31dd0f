import { useEffect, useState } from 'react';
import { gql } from './client';
import type { Dataset } from './types';

const SUMMARY = `slug titleZh titleEn descriptionZh descriptionEn publisher versionDate periodFrom periodTo classification termsOfUse licenseRequired source published yourAccess disclosure { method threshold }`;
const FULL = `${SUMMARY} statutoryLimits { kind days } measures { code titleZh titleEn unit definition } dimensions { code titleZh titleEn levels { code titleZh titleEn format members { code labelZh labelEn parentCode } } }`;

export type DatasetSummary = Omit<Dataset, 'dimensions' | 'measures' | 'statutoryLimits'>;

export function fetchDatasets(): Promise<DatasetSummary[]> {
  return gql<{ datasets: DatasetSummary[] }>(`{ datasets { ${SUMMARY} } }`).then((d) => d.datasets);
}

export function fetchDataset(slug: string): Promise<Dataset | null> {
  return gql<{ dataset: Dataset | null }>(`query($slug: String!) { dataset(slug: $slug) { ${FULL} } }`, { slug }).then(
    (d) => d.dataset,
  );
}

/** Loads something once per change of `deps`; returns [value, error, loading]. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | undefined, unknown, boolean] {
  const [state, setState] = useState<{ value?: T; error: unknown; loading: boolean }>({ error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (value) => live && setState({ value, error: null, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return [state.value, state.error, state.loading];
}
