import type { AggregateOutcome } from '../aggregate/aggregate.service.js';
import { csvColumns } from '../aggregate/export.controller.js';
import type { DatasetType } from '../datasets/dto/dataset.type.js';

/** What the metadata describes: a released aggregate without its rows (they are never copied here). */
export type DescribedOutcome = Omit<AggregateOutcome, 'rows' | 'auditEventId'> & {
  auditEventId: string;
  /** The rows' shape only: how many cells a row has, which tells keys from measures as the CSV does. */
  rows: { cells: unknown[] }[];
};

interface Column {
  name: string;
  titles: string;
  datatype: string | Record<string, unknown>;
  required?: boolean;
  null?: string;
  separator?: string;
  lang?: string;
  'dc:description'?: string;
  'schema:unitText'?: string;
  'dc:format'?: string;
}

/** Flags a cell may carry today; the list is open (a new disclosure method may add others). */
const KNOWN_FLAGS = 'e.g. suppressed (value withheld), perturbed (noise added), rounded; the list is open';

/**
 * CSVW metadata (W3C "Metadata Vocabulary for Tabular Data") for the CSV export of one query:
 * the dialect (`#` note lines, one header row), every column's title, datatype, unit and meaning,
 * the flag columns, the citation and the disclosure method. It describes columns only: no row,
 * key or value of the result is in it.
 */
export function csvwMetadata(result: DescribedOutcome, dataset: DatasetType, csvUrl: string): Record<string, unknown> {
  const { keyColumns, measureColumns } = csvColumns(result);
  const columns: Column[] = [];
  for (const key of keyColumns) {
    const [dimensionCode, levelCode] = key.split('.');
    const dimension = dataset.dimensions.find((d) => d.code === dimensionCode);
    const level = dimension?.levels.find((l) => l.code === (levelCode ?? dimension.levels[0]?.code));
    const title = dimension
      ? `${dimension.titleEn}${level && dimension.levels.length > 1 ? ` (${level.titleEn})` : ''}`
      : key;
    columns.push({
      name: key,
      titles: key,
      datatype: 'string',
      required: true,
      'dc:description': `${title}: member code${level?.format ? ` (${level.format})` : ''}; "unknown" where not recorded`,
      ...(level?.format ? { 'dc:format': level.format } : {}),
    });
    columns.push({
      name: `${key}.labelZh`,
      titles: `${key}.labelZh`,
      datatype: 'string',
      lang: 'zh',
      'dc:description': `${title}: Chinese label`,
    });
    columns.push({
      name: `${key}.labelEn`,
      titles: `${key}.labelEn`,
      datatype: 'string',
      lang: 'en',
      'dc:description': `${title}: English label`,
    });
  }
  for (const code of measureColumns) {
    const measure = dataset.measures.find((m) => m.code === code);
    columns.push({
      name: code,
      titles: code,
      datatype: 'double',
      null: '',
      'dc:description': measure
        ? `${measure.titleEn} / ${measure.titleZh}: ${measure.definition}. Empty when withheld by disclosure control.`
        : `${code}. Empty when withheld by disclosure control.`,
      ...(measure ? { 'schema:unitText': measure.unit } : {}),
    });
    columns.push({
      name: `${code}.flags`,
      titles: `${code}.flags`,
      datatype: 'string',
      separator: ';',
      null: '',
      'dc:description': `Disclosure-control flags of ${code}, separated by ";" (${KNOWN_FLAGS})`,
    });
  }
  const d = result.disclosure;
  return {
    '@context': ['http://www.w3.org/ns/csvw', { '@language': 'en' }],
    url: csvUrl,
    'dc:title': [
      { '@value': dataset.titleEn, '@language': 'en' },
      { '@value': dataset.titleZh, '@language': 'zh' },
    ],
    'dc:publisher': dataset.publisher,
    'dc:license': dataset.termsOfUse,
    'dc:bibliographicCitation': result.citation,
    'dc:description':
      `Anonymized aggregates of dataset "${dataset.slug}", never records. Disclosure control: method ${d.method}, ` +
      `threshold ${d.threshold}; withheld cells are empty and flagged "suppressed".`,
    'schema:additionalProperty': [
      { 'schema:name': 'disclosureMethod', 'schema:value': d.method },
      { 'schema:name': 'disclosureThreshold', 'schema:value': d.threshold },
      { 'schema:name': 'licence', 'schema:value': result.licenseId ?? 'none (open data or your own role)' },
    ],
    dialect: {
      commentPrefix: '#',
      header: true,
      headerRowCount: 1,
      encoding: 'utf-8',
      doubleQuote: true,
      delimiter: ',',
    },
    tableSchema: {
      columns,
      primaryKey: keyColumns,
    },
  };
}
