import { DataFactory, Writer } from 'n3';

/** Prefixes of the vocabularies DCAT-AP 3 uses; the JSON-LD context and the Turtle prefixes. */
export const PREFIXES = {
  adms: 'http://www.w3.org/ns/adms#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcatap: 'http://data.europa.eu/r5r/',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  locn: 'http://www.w3.org/ns/locn#',
  owl: 'http://www.w3.org/2002/07/owl#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

export type Prefixed = `${keyof typeof PREFIXES}:${string}`;

/** An RDF object: a resource (`@id`) or a literal with a language or a datatype. */
export type RdfValue = { '@id': string } | { '@value': string; '@language'?: string; '@type'?: Prefixed };

/** One resource and its properties, written as a JSON-LD node with prefixed names. */
export interface RdfNode {
  '@id': string;
  '@type': Prefixed[];
  [property: Prefixed]: RdfValue[];
}

export const iri = (id: string): RdfValue => ({ '@id': id });
export const text = (value: string, language?: 'zh' | 'en'): RdfValue =>
  language ? { '@value': value, '@language': language } : { '@value': value };
export const typed = (value: string, type: Prefixed): RdfValue => ({ '@value': value, '@type': type });

/** A JSON-LD document whose context is inline, so reading it never fetches anything. */
export function toJsonLd(nodes: RdfNode[]): Record<string, unknown> {
  return { '@context': { ...PREFIXES }, '@graph': nodes };
}

function expand(name: string): string {
  const colon = name.indexOf(':');
  const prefix = name.slice(0, colon) as keyof typeof PREFIXES;
  return colon > 0 && Object.hasOwn(PREFIXES, prefix) ? PREFIXES[prefix] + name.slice(colon + 1) : name;
}

/** The same graph as Turtle (n3's writer: prefixes, escaping and grouping by subject). */
export function toTurtle(nodes: RdfNode[]): Promise<string> {
  const namedNode = (value: string) => DataFactory.namedNode(value);
  const literal = (value: string, languageOrType?: string | ReturnType<typeof namedNode>) =>
    DataFactory.literal(value, languageOrType);
  const quad = DataFactory.quad.bind(DataFactory);
  const writer = new Writer({ prefixes: { ...PREFIXES } });
  for (const node of nodes) {
    const subject = namedNode(node['@id']);
    for (const type of node['@type'])
      writer.addQuad(quad(subject, namedNode(expand('rdf:type')), namedNode(expand(type))));
    for (const [property, values] of Object.entries(node) as [string, RdfValue[] | string][]) {
      if (property.startsWith('@')) continue;
      for (const value of values as RdfValue[]) {
        const object =
          '@id' in value
            ? namedNode(value['@id'])
            : literal(
                value['@value'],
                value['@language'] ?? (value['@type'] ? namedNode(expand(value['@type'])) : undefined),
              );
        writer.addQuad(quad(subject, namedNode(expand(property)), object));
      }
    }
  }
  return new Promise((resolve, reject) =>
    writer.end((error, result: string) => (error ? reject(error) : resolve(result))),
  );
}
