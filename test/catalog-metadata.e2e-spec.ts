import jsonld from 'jsonld';
import { Parser, Writer } from 'n3';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const EU = 'http://publications.europa.eu/resource/authority';

type JsonLdNode = Record<string, unknown> & { '@id': string; '@type'?: string[] };
type JsonLdValue = { '@id'?: string; '@value'?: string; '@language'?: string; '@type'?: string };

/** A document loader that refuses: the catalog's context is inline, so parsing must never fetch. */
const offline = (url: string): Promise<never> => Promise.reject(new Error(`tried to fetch ${url}`));

async function flatten(doc: unknown): Promise<Map<string, JsonLdNode>> {
  const flat = (await jsonld.flatten(doc as jsonld.JsonLdDocument, undefined, {
    documentLoader: offline,
  })) as unknown as { '@graph': JsonLdNode[] } | JsonLdNode[];
  const nodes = Array.isArray(flat) ? flat : flat['@graph'];
  return new Map(nodes.map((n) => [n['@id'], n]));
}

const values = (node: JsonLdNode | undefined, property: string): JsonLdValue[] =>
  (node?.[property] as JsonLdValue[] | undefined) ?? [];
const ids = (node: JsonLdNode | undefined, property: string) => values(node, property).map((v) => v['@id']!);
const ofType = (graph: Map<string, JsonLdNode>, type: string) =>
  [...graph.values()].filter((n) => n['@type']?.includes(type));

describe('open-data metadata', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 600, seed: 19, from: '2021-02-03', to: '2021-11-20' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('DCAT catalog', () => {
    it('refuses an unknown key (401) rather than listing anything', async () => {
      const res = await t.http().get('/catalog.jsonld').set('Authorization', 'Bearer hgw_not_a_key_000000').expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });

    it('lists only the open datasets to the public, with every property DCAT-AP 3 requires', async () => {
      const res = await t.http().get('/catalog.jsonld').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
      const graph = await flatten(JSON.parse(res.text));

      const [catalog] = ofType(graph, `${DCAT}Catalog`);
      expect(values(catalog, `${DCT}title`).map((v) => v['@language'])).toEqual(expect.arrayContaining(['zh', 'en']));
      expect(values(catalog, `${DCT}description`).length).toBeGreaterThan(0);
      expect(values(graph.get(ids(catalog, `${DCT}publisher`)[0]), `${FOAF}name`).length).toBe(1);

      const datasets = ofType(graph, `${DCAT}Dataset`);
      expect(datasets.map((d) => values(d, `${DCT}identifier`)[0]['@value'])).toEqual(['hotline-cases-open']);
      expect(ids(catalog, `${DCAT}dataset`)).toEqual(datasets.map((d) => d['@id']));
      const [open] = datasets;

      const titles = values(open, `${DCT}title`);
      expect(titles).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ '@language': 'zh', '@value': expect.stringMatching(/[\u4e00-\u9fff]/) }),
          expect.objectContaining({ '@language': 'en' }),
        ]),
      );
      expect(values(open, `${DCT}description`).length).toBe(2);

      const publisher = graph.get(ids(open, `${DCT}publisher`)[0]);
      expect(publisher?.['@type']).toContain(`${FOAF}Agent`);
      expect(values(publisher, `${FOAF}name`)[0]['@value']).not.toBe('');

      const period = graph.get(ids(open, `${DCT}temporal`)[0]);
      expect(period?.['@type']).toContain(`${DCT}PeriodOfTime`);
      expect(values(period, `${DCAT}startDate`)[0]).toEqual({
        '@value': '2021-02-01',
        '@type': 'http://www.w3.org/2001/XMLSchema#date',
      });
      expect(values(period, `${DCAT}endDate`)[0]['@value']).toBe('2021-11-30');

      const place = graph.get(ids(open, `${DCT}spatial`)[0]);
      expect(place?.['@type']).toContain(`${DCT}Location`);
      expect(values(place, `${SKOS}prefLabel`).map((v) => v['@value'])).toEqual(
        expect.arrayContaining(['江苏省', 'Jiangsu']),
      );

      expect(ids(open, `${DCT}accessRights`)).toEqual([`${EU}/access-right/PUBLIC`]);

      const distributions = ids(open, `${DCAT}distribution`).map((id) => graph.get(id)!);
      expect(distributions).toHaveLength(3);
      for (const d of distributions) {
        expect(d['@type']).toContain(`${DCAT}Distribution`);
        expect(ids(d, `${DCAT}accessURL`)).toHaveLength(1);
        const licence = graph.get(ids(d, `${DCT}license`)[0]);
        expect(licence?.['@type']).toContain(`${DCT}LicenseDocument`);
        expect(values(licence, `${RDFS}label`)[0]['@value']).not.toBe('');
      }
      const urls = distributions.flatMap((d) => ids(d, `${DCAT}accessURL`));
      expect(urls).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/graphql$/),
          expect.stringMatching(/\/export\/aggregate\.csv\?query=/),
          expect.stringMatching(/\/export\/aggregate\.json\?query=/),
        ]),
      );
      const [service] = ofType(graph, `${DCAT}DataService`);
      expect(ids(service, `${DCAT}endpointURL`)[0]).toMatch(/\/graphql$/);
      expect(ids(service, `${DCAT}servesDataset`)).toEqual([open['@id']]);

      // The export URL in the catalog is a working download for the same caller.
      const csvUrl = new URL(urls.find((u) => u.includes('aggregate.csv'))!);
      const csv = await t.http().get(`${csvUrl.pathname}${csvUrl.search}`).expect(200);
      expect(csv.text).toMatch(/^# citation: /);
    });

    it('shows a steward the restricted datasets too, marked restricted', async () => {
      const res = await t.http().get('/catalog.jsonld').set('Authorization', 'Bearer test-steward').expect(200);
      const graph = await flatten(JSON.parse(res.text));
      const byId = new Map(ofType(graph, `${DCAT}Dataset`).map((d) => [values(d, `${DCT}identifier`)[0]['@value'], d]));
      expect([...byId.keys()]).toEqual(expect.arrayContaining(['hotline-cases', 'hotline-cases-open']));
      expect(ids(byId.get('hotline-cases'), `${DCT}accessRights`)).toEqual([`${EU}/access-right/RESTRICTED`]);
    });

    it('serves the same graph as Turtle', async () => {
      const [ld, ttl] = await Promise.all([
        t.http().get('/catalog.jsonld').set('Authorization', 'Bearer test-steward').expect(200),
        t.http().get('/catalog.ttl').set('Authorization', 'Bearer test-steward').expect(200),
      ]);
      expect(ttl.headers['content-type']).toMatch(/^text\/turtle/);
      expect(ttl.text).toMatch(/^@prefix dcat: <http:\/\/www\.w3\.org\/ns\/dcat#>\./m);
      const quads = new Parser({ format: 'text/turtle' }).parse(ttl.text);
      const nquads = new Writer({ format: 'N-Quads' }).quadsToString(quads);
      const canonize = jsonld.canonize as (input: unknown, options: Record<string, unknown>) => Promise<string>;
      const fromTurtle = await canonize(nquads, { inputFormat: 'application/n-quads', algorithm: 'URDNA2015' });
      const fromJsonLd = await canonize(JSON.parse(ld.text), { algorithm: 'URDNA2015', documentLoader: offline });
      expect(quads.length).toBeGreaterThan(100);
      expect(fromTurtle).toBe(fromJsonLd);
    });
  });

  describe('CSVW metadata of the CSV export', () => {
    const query = {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases', 'avgHandlingDays'],
    };
    const url = (path: string) => `/export/${path}?query=${encodeURIComponent(JSON.stringify(query))}`;
    const auditCount = async (principal: string) =>
      Number(
        (
          await t.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM audit_event WHERE principal_id = $1`, [
            principal,
          ])
        )[0].n,
      );

    it('denies it to auditors (403), like the export, and audits the denial', async () => {
      const before = await auditCount('test-auditor');
      const res = await t
        .http()
        .get(url('aggregate.csv-metadata.json'))
        .set('Authorization', 'Bearer test-auditor')
        .expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await auditCount('test-auditor')).toBe(before + 1);
    });

    it('asks a researcher without a licence for one, as the export does', async () => {
      const res = await t
        .http()
        .get(url('aggregate.csv-metadata.json'))
        .set('Authorization', 'Bearer test-researcher')
        .expect(403);
      expect(res.body.error.code).toBe('LICENSE_REQUIRED');
    });

    it('describes every column of the CSV with titles, datatypes, units and flags, and no values', async () => {
      const csv = await t.http().get(url('aggregate.csv')).set('Authorization', 'Bearer test-steward').expect(200);
      expect(csv.headers.link).toMatch(/<aggregate\.csv-metadata\.json\?query=[^>]+>; rel="describedby"/);
      const before = await auditCount('test-steward');
      const res = await t
        .http()
        .get(url('aggregate.csv-metadata.json'))
        .set('Authorization', 'Bearer test-steward')
        .expect(200);
      expect(await auditCount('test-steward')).toBe(before + 1);
      expect(res.headers['content-type']).toMatch(/^application\/csvm\+json/);
      const meta = JSON.parse(res.text) as {
        '@context': unknown[];
        url: string;
        dialect: Record<string, unknown>;
        'dc:bibliographicCitation': string;
        'dc:description': string;
        'schema:additionalProperty': { 'schema:name': string; 'schema:value': unknown }[];
        tableSchema: { columns: Record<string, unknown>[]; primaryKey: string[] };
      };
      expect(meta['@context'][0]).toBe('http://www.w3.org/ns/csvw');
      expect(meta.url).toMatch(/\/export\/aggregate\.csv\?query=/);
      expect(decodeURIComponent(meta.url.split('query=')[1])).toBe(JSON.stringify(query));
      expect(meta.dialect).toMatchObject({ commentPrefix: '#', header: true });

      const lines = csv.text.trimEnd().split('\n');
      const header = lines.find((l) => !l.startsWith('#'))!.split(',');
      const columns = meta.tableSchema.columns;
      expect(columns.map((c) => c.titles)).toEqual(header);
      expect(meta.tableSchema.primaryKey).toEqual(['area.city', 'time.month']);
      const column = (name: string) => columns.find((c) => c.name === name)!;
      expect(column('time.month')).toMatchObject({ datatype: 'string', 'dc:format': expect.stringMatching(/YYYY-MM/) });
      expect(column('area.city.labelZh')).toMatchObject({ lang: 'zh' });
      expect(column('cases')).toMatchObject({ datatype: 'double', null: '', 'schema:unitText': expect.any(String) });
      expect(column('avgHandlingDays')['schema:unitText']).toMatch(/day/);
      expect(column('cases.flags')).toMatchObject({ datatype: 'string', separator: ';' });

      const citationLine = lines.find((l) => l.startsWith('# citation: '))!.slice('# citation: '.length);
      expect(meta['dc:bibliographicCitation']).toBe(citationLine);
      expect(meta['schema:additionalProperty']).toEqual(
        expect.arrayContaining([{ 'schema:name': 'disclosureMethod', 'schema:value': expect.any(String) }]),
      );
      const method = meta['schema:additionalProperty'].find((p) => p['schema:name'] === 'disclosureMethod')!;
      expect(lines[1]).toContain(`method ${String(method['schema:value'])}`);

      // Columns only: no member code and no value of the result is in the metadata.
      expect(lines.some((l) => l.startsWith('320500,苏州市,'))).toBe(true);
      expect(res.text).not.toContain('320500');
      expect(res.text).not.toContain('苏州市');
      expect(res.text).not.toMatch(/"rows"/);
    });
  });
});
