import type { DatasetType } from '../datasets/dto/dataset.type.js';
import { iri, RdfNode, RdfValue, text, typed } from './rdf-graph.js';

/** What the records behind a dataset cover, read from its coarsest rollup (coverage.service.ts). */
export interface Coverage {
  /** First and last day covered (ISO dates), null when the dataset holds no data yet. */
  from: string | null;
  to: string | null;
  /** Provinces (or states) the records come from. */
  areas: { code: string; labelZh: string; labelEn: string }[];
}

export interface CatalogInput {
  /** Scheme, host and port the caller used, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  datasets: { dataset: DatasetType; coverage: Coverage }[];
}

/** Who publishes the catalog when no dataset names a publisher (an empty catalog). */
const CATALOG_PUBLISHER = '12345 热线数据办公室 / 12345 hotline data office';
const EU = 'http://publications.europa.eu/resource/authority';
/** DCAT-AP's controlled vocabularies for access rights, by classification. */
const ACCESS_RIGHTS: Record<string, { id: string; en: string; zh: string }> = {
  open: {
    id: `${EU}/access-right/PUBLIC`,
    en: 'Public: anyone may query it, no account',
    zh: '公开：无需账号即可查询',
  },
  restricted: {
    id: `${EU}/access-right/RESTRICTED`,
    en: 'Restricted: an active data-use licence is required',
    zh: '受限：需持有有效的数据使用许可',
  },
  confidential: {
    id: `${EU}/access-right/NON_PUBLIC`,
    en: 'Non-public: for the hotline centre and licensed departments only',
    zh: '不公开：仅限热线中心及获许可的部门',
  },
};

/** The example query behind a dataset's export URLs: its first dimension at its coarsest level, its first measure. */
export function exampleQuery(dataset: DatasetType): Record<string, unknown> {
  const dimension = dataset.dimensions.find((d) => d.code !== 'time') ?? dataset.dimensions[0];
  return {
    dataset: dataset.slug,
    groupBy: dimension ? [{ dimension: dimension.code, level: dimension.levels[0]?.code }] : [],
    measures: dataset.measures.slice(0, 1).map((m) => m.code),
  };
}

const slugOf = (name: string) =>
  encodeURIComponent(
    name
      .trim()
      .toLowerCase()
      .replace(/[\s/]+/g, '-'),
  );

/**
 * The catalog as DCAT-AP 3 resources: one dcat:Catalog, a dcat:Dataset per dataset with its
 * publisher, coverage, licence and access rights, three distributions each (the GraphQL endpoint,
 * the CSV and JSON exports) and the GraphQL endpoint as a dcat:DataService. Pure: the same input
 * gives the same graph, serialized as JSON-LD or Turtle by rdf-graph.ts.
 */
export function buildCatalog({ baseUrl, datasets }: CatalogInput): RdfNode[] {
  const catalogId = `${baseUrl}/catalog`;
  const serviceId = `${baseUrl}/graphql`;
  const nodes: RdfNode[] = [];
  const publishers = new Map<string, string>();
  const publisherOf = (name: string): string => {
    let id = publishers.get(name);
    if (!id) {
      id = `${catalogId}/publishers/${slugOf(name)}`;
      publishers.set(name, id);
      nodes.push({
        '@id': id,
        '@type': ['foaf:Agent'],
        'foaf:name': [text(name)],
        'dct:type': [iri('http://purl.org/adms/publishertype/NationalAuthority')],
      });
    }
    return id;
  };
  const areas = new Map<string, string>();
  const areaOf = (area: Coverage['areas'][number]): string => {
    let id = areas.get(area.code);
    if (!id) {
      id = `${catalogId}/areas/${encodeURIComponent(area.code)}`;
      areas.set(area.code, id);
      nodes.push({
        '@id': id,
        '@type': ['dct:Location'],
        'dct:identifier': [text(area.code)],
        'skos:prefLabel': [text(area.labelZh, 'zh'), text(area.labelEn, 'en')],
        'locn:geographicName': [text(area.labelZh, 'zh'), text(area.labelEn, 'en')],
      });
    }
    return id;
  };
  const accessRightsSeen = new Set<string>();

  const datasetIds: string[] = [];
  for (const { dataset, coverage } of datasets) {
    const id = `${catalogId}/datasets/${encodeURIComponent(dataset.slug)}`;
    datasetIds.push(id);
    const licenceId = `${id}#licence`;
    const rights = ACCESS_RIGHTS[dataset.classification] ?? ACCESS_RIGHTS.confidential;
    if (!accessRightsSeen.has(rights.id)) {
      accessRightsSeen.add(rights.id);
      nodes.push({
        '@id': rights.id,
        '@type': ['dct:RightsStatement'],
        'rdfs:label': [text(rights.zh, 'zh'), text(rights.en, 'en')],
      });
    }
    nodes.push({
      '@id': licenceId,
      '@type': ['dct:LicenseDocument'],
      'rdfs:label': [text(dataset.termsOfUse)],
    });
    const query = encodeURIComponent(JSON.stringify(exampleQuery(dataset)));
    const distributions: RdfNode[] = [
      {
        '@id': `${id}/distributions/graphql`,
        '@type': ['dcat:Distribution'],
        'dct:title': [text(`${dataset.titleZh}（GraphQL 接口）`, 'zh'), text(`${dataset.titleEn} (GraphQL API)`, 'en')],
        'dct:description': [
          text(
            `Anonymized aggregates through the GraphQL query aggregate(query: { dataset: "${dataset.slug}", ... }); ` +
              `dataset(slug: "${dataset.slug}") lists its dimensions, levels, members and measures.`,
            'en',
          ),
        ],
        'dcat:accessURL': [iri(serviceId)],
        'dcat:accessService': [iri(serviceId)],
        'dcat:mediaType': [iri('https://www.iana.org/assignments/media-types/application/graphql-response+json')],
        'dct:format': [iri(`${EU}/file-type/JSON`)],
        'dct:license': [iri(licenceId)],
        'dct:accessRights': [iri(rights.id)],
        'dcatap:availability': [iri('http://data.europa.eu/r5r/availability/stable')],
      },
      ...(['csv', 'json'] as const).map<RdfNode>((format) => {
        const url = `${baseUrl}/export/aggregate.${format}?query=${query}`;
        const extra: Record<string, RdfValue[]> =
          format === 'csv'
            ? {
                'dct:conformsTo': [iri('http://www.w3.org/ns/csvw')],
                'rdfs:seeAlso': [iri(`${baseUrl}/export/aggregate.csv-metadata.json?query=${query}`)],
              }
            : {};
        return {
          '@id': `${id}/distributions/${format}`,
          '@type': ['dcat:Distribution'],
          'dct:title': [
            text(`${dataset.titleZh}（${format.toUpperCase()} 导出）`, 'zh'),
            text(`${dataset.titleEn} (${format.toUpperCase()} export)`, 'en'),
          ],
          'dct:description': [
            text(
              `GET /export/aggregate.${format}?query=<URL-encoded JSON AggregateQueryInput>; this URL is an example ` +
                'query. The download carries the citation and disclosure notes.',
              'en',
            ),
          ],
          'dcat:accessURL': [iri(url)],
          'dcat:downloadURL': [iri(url)],
          'dcat:mediaType': [
            iri(`https://www.iana.org/assignments/media-types/${format === 'csv' ? 'text/csv' : 'application/json'}`),
          ],
          'dct:format': [iri(`${EU}/file-type/${format.toUpperCase()}`)],
          'dct:license': [iri(licenceId)],
          'dct:accessRights': [iri(rights.id)],
          'dcatap:availability': [iri('http://data.europa.eu/r5r/availability/stable')],
          ...extra,
        };
      }),
    ];
    nodes.push(...distributions);

    const temporal: RdfValue[] = [];
    if (coverage.from && coverage.to) {
      nodes.push({
        '@id': `${id}#temporal`,
        '@type': ['dct:PeriodOfTime'],
        'dcat:startDate': [typed(coverage.from, 'xsd:date')],
        'dcat:endDate': [typed(coverage.to, 'xsd:date')],
      });
      temporal.push(iri(`${id}#temporal`));
    }
    const keywords = [
      ...dataset.dimensions.flatMap((d) => [text(d.titleZh, 'zh'), text(d.titleEn, 'en')]),
      ...dataset.measures.flatMap((m) => [text(m.titleZh, 'zh'), text(m.titleEn, 'en')]),
    ];
    const contactId = `${id}#contact`;
    nodes.push({
      '@id': contactId,
      '@type': ['vcard:Organization'],
      'vcard:fn': [text(dataset.publisher)],
    });
    nodes.push({
      '@id': id,
      '@type': ['dcat:Dataset'],
      'dct:identifier': [text(dataset.slug)],
      'dct:title': [text(dataset.titleZh, 'zh'), text(dataset.titleEn, 'en')],
      'dct:description': [text(dataset.descriptionZh, 'zh'), text(dataset.descriptionEn, 'en')],
      'dct:publisher': [iri(publisherOf(dataset.publisher))],
      'dcat:contactPoint': [iri(contactId)],
      'dct:temporal': temporal,
      'dct:spatial': coverage.areas.map((a) => iri(areaOf(a))),
      'dct:accessRights': [iri(rights.id)],
      'dct:rights': [iri(licenceId)],
      'dct:modified': [typed(dataset.versionDate, 'xsd:date')],
      'dcat:version': [text(dataset.versionDate)],
      'dcat:keyword': keywords,
      'dcat:theme': [iri(`${EU}/data-theme/GOVE`)],
      'dct:language': [iri(`${EU}/language/ZHO`), iri(`${EU}/language/ENG`)],
      'dcat:distribution': distributions.map((d) => iri(d['@id'])),
      'adms:versionNotes': [
        text(
          `Disclosure control: ${dataset.disclosure.method}, threshold ${dataset.disclosure.threshold}. ` +
            'Aggregates only, never records.',
          'en',
        ),
      ],
    });
  }

  nodes.push({
    '@id': serviceId,
    '@type': ['dcat:DataService'],
    'dct:title': [text('hotline-gateway GraphQL 接口', 'zh'), text('hotline-gateway GraphQL API', 'en')],
    'dct:description': [
      text(
        'GraphQL over HTTP (POST or GET /graphql). Authorization: Bearer <API key or OIDC token>; no header means the ' +
          'public role. Introspection describes the schema; errors carry extensions.code.',
        'en',
      ),
    ],
    'dcat:endpointURL': [iri(serviceId)],
    'dcat:endpointDescription': [iri(serviceId)],
    'dct:conformsTo': [iri('https://spec.graphql.org/')],
    'dcat:servesDataset': datasetIds.map(iri),
  });

  const allPublishers = [...new Set(datasets.map((d) => d.dataset.publisher)), CATALOG_PUBLISHER];
  const modified = datasets.map((d) => d.dataset.versionDate).sort();
  nodes.unshift({
    '@id': catalogId,
    '@type': ['dcat:Catalog'],
    'dct:title': [text('12345 热线数据开放目录', 'zh'), text('12345 hotline open-data catalog', 'en')],
    'dct:description': [
      text('12345 政务服务热线记录的匿名聚合数据：从不提供原始记录。', 'zh'),
      text(
        'Anonymized aggregates of 12345 government-hotline records, under licences, disclosure control and an audit log: never the records themselves.',
        'en',
      ),
    ],
    'dct:publisher': [iri(publisherOf(allPublishers[0]))],
    'foaf:homepage': [iri(`${baseUrl}/`)],
    'dct:language': [iri(`${EU}/language/ZHO`), iri(`${EU}/language/ENG`)],
    'dct:modified': modified.length > 0 ? [typed(modified[modified.length - 1], 'xsd:date')] : [],
    'dcat:dataset': datasetIds.map(iri),
    'dcat:service': [iri(serviceId)],
  });
  return nodes;
}
