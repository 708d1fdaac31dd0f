import { normalizeDisclosure } from '../disclosure/disclosure-settings.js';
import { LRUCache } from 'lru-cache';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import type { DatasetReach } from '../access-policy/dataset-reach.js';
import { roleDefinition } from '../access-policy/roles.js';
import {
  dimensionSpec,
  DIMENSIONS,
  MEASURES,
  Series,
  SERIES_DIMENSIONS,
  STATUTORY_LIMIT_DAYS,
} from '../catalog/registry.js';
import { TIME_FORMATS, TimeLevel } from '../catalog/time-members.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { ReadRouter } from '../database/read-router.js';
import { badUserInput } from '../common/gateway-error.js';
import { DatasetDefinition, DatasetEntity } from './dataset.entity.js';
import { DatasetType } from './dto/dataset.type.js';
import { MembersService } from './members.service.js';
import { PublishDatasetInput } from './dto/publish-dataset.input.js';

/** How long the published catalog is reused by the aggregate engine before it is read again. */
const CATALOG_TTL_MS = 1_000;

@Injectable()
export class DatasetsService {
  /** The published datasets being read or read, for CATALOG_TTL_MS. */
  private readonly published = new LRUCache<'published', Promise<DatasetEntity[]>>({
    max: 1,
    ttl: CATALOG_TTL_MS,
    perf: { now: () => Date.now() },
  });
  /** A change was made here since the last read: the next read goes to the primary. */
  private changedHere = false;

  constructor(
    @InjectRepository(DatasetEntity) private readonly datasets: Repository<DatasetEntity>,
    private readonly audit: AuditRecorder,
    private readonly reads: ReadRouter,
    private readonly members: MembersService,
    private readonly abilities: CaslAbilityFactory,
  ) {}

  /** The catalog as this caller's role may see it (roles.ts, `catalog`): the public open datasets only, stewards also unpublished ones. */
  async list(actor: Actor): Promise<DatasetType[]> {
    const rows = await this.datasets.find({ where: this.visibleTo(actor, false), order: { slug: 'ASC' } });
    const held = await this.heldLicences(actor);
    return rows.map((row) => this.map(actor, row, held));
  }

  async findOne(actor: Actor, slug: string): Promise<DatasetType | null> {
    const row = await this.datasets.findOne({ where: { ...this.visibleTo(actor, false), slug } });
    return row ? this.map(actor, row, await this.heldLicences(actor)) : null;
  }

  /**
   * The caller's own licences by dataset slug, as `L-3 (active until 2027-11-30)`, for
   * `yourAccess`: read from the licence table itself (licensing builds on the catalog, not the
   * other way round), on every call, so a suspension shows at once.
   */
  private async heldLicences(actor: Actor): Promise<Map<string, string[]>> {
    const held = new Map<string, string[]>();
    // Only roles that request licences hold any (a key's scopes aside).
    if (!actor.principalId || !this.abilities.createForActor({ ...actor, scopes: undefined }).can('request', 'License'))
      return held;
    const rows = await this.datasets.manager.query<
      { id: string; status: string; valid_to: string; datasets: string[] | null }[]
    >(
      `SELECT id::text, status, to_char(valid_to, 'YYYY-MM-DD') AS valid_to,
              (SELECT array_agg(DISTINCT s->>'dataset') FROM jsonb_array_elements(scopes) s) AS datasets
         FROM license
        WHERE principal_id = $1 AND status IN ('active', 'suspended', 'requested')
        ORDER BY id`,
      [actor.principalId],
    );
    for (const r of rows) {
      const state =
        r.status === 'active'
          ? `active until ${r.valid_to}`
          : r.status === 'requested'
            ? 'requested, not yet approved'
            : r.status;
      for (const slug of r.datasets ?? []) held.set(slug, [...(held.get(slug) ?? []), `L-${r.id} (${state})`]);
    }
    return held;
  }

  /**
   * Published datasets this caller may query (the aggregate engine's catalog lookup, on every
   * query). Read at most once a second: a change made here is seen at once, one made by another
   * instance within a second.
   */
  async visibleEntities(actor: Actor): Promise<DatasetEntity[]> {
    let read = this.published.get('published');
    if (!read) {
      const query = { where: { published: true }, order: { slug: 'ASC' as const } };
      // Read on a replica where there is one, except right after a change made here, which a
      // replica may not have replayed yet: that read goes to the primary.
      const fresh = this.changedHere
        ? this.datasets.find(query)
        : this.reads.read('catalog', (dataSource) => dataSource.getRepository(DatasetEntity).find(query));
      this.changedHere = false;
      fresh.catch(() => {
        if (this.published.peek('published') === fresh) this.published.delete('published');
      });
      this.published.set('published', (read = fresh));
    }
    const rows = await read;
    return roleDefinition(actor.role).catalog === 'open' ? rows.filter((d) => d.classification === 'open') : rows;
  }

  /**
   * Adds or replaces a dataset's metadata and published flag. Dimensions, levels and measures must
   * exist in the registry for the source; titles and definitions come from the registry.
   */
  async publish(actor: Actor, input: PublishDatasetInput): Promise<DatasetType> {
    const built = buildDefinition(input);
    const existing = await this.datasets.findOne({ where: { slug: input.slug } });
    // One dataset, one jurisdiction: given, or kept from the version it replaces.
    const jurisdiction = input.jurisdiction ?? existing?.definition.jurisdiction;
    if (input.jurisdiction !== undefined) {
      const provinces = (await this.members.directory()).codes(AREA_PROVINCE);
      if (!provinces.has(input.jurisdiction)) {
        throw badUserInput(
          `jurisdiction: "${input.jurisdiction}" is not a province code. Use one of: ${[...provinces].sort().join(', ')}.`,
          { validChoices: [...provinces].sort() },
        );
      }
    }
    const definition = jurisdiction ? { ...built, jurisdiction } : built;
    const entity = this.datasets.create({
      ...(existing ?? {}),
      slug: input.slug,
      titleZh: input.titleZh,
      titleEn: input.titleEn,
      descriptionZh: input.descriptionZh,
      descriptionEn: input.descriptionEn,
      publisher: input.publisher,
      versionDate: input.versionDate,
      classification: input.classification,
      termsOfUse: input.termsOfUse,
      definition,
      published: input.published ?? true,
    });
    await this.audit.record(actor, {
      operation: 'publishDataset',
      decision: 'allowed',
      datasetSlug: input.slug,
      target: `dataset:${input.slug}`,
      reason: existing ? 'updated' : 'created',
      query: {
        classification: input.classification,
        published: input.published ?? true,
        dimensions: input.dimensions.map((d) => ({ dimension: d.dimension, levels: d.levels })),
        measures: input.measures,
        disclosure: definition.disclosure,
      },
    });
    const saved = await this.datasets.save(entity);
    this.published.delete('published');
    this.changedHere = true;
    return this.map(actor, saved);
  }

  private visibleTo(actor: Actor, forQuery: boolean) {
    const catalog = roleDefinition(actor.role).catalog;
    if (catalog === 'open') return { published: true, classification: 'open' as const };
    if (catalog === 'all' && !forQuery) return {};
    return { published: true };
  }

  private map(actor: Actor, row: DatasetEntity, held: Map<string, string[]> = new Map()): DatasetType {
    const source = row.definition.source ?? 'cases';
    const limits = row.definition.statutoryLimitDays ?? (source === 'cases' ? STATUTORY_LIMIT_DAYS : {});
    return {
      slug: row.slug,
      titleZh: row.titleZh,
      titleEn: row.titleEn,
      descriptionZh: row.descriptionZh,
      descriptionEn: row.descriptionEn,
      publisher: row.publisher,
      versionDate: row.versionDate,
      jurisdiction: row.definition.jurisdiction ?? null,
      periodFrom: row.definition.period?.from ?? null,
      periodTo: row.definition.period?.to ?? null,
      classification: row.classification,
      termsOfUse: row.termsOfUse,
      dimensions: row.definition.dimensions.map((d) => ({
        code: d.code,
        titleZh: d.titleZh,
        titleEn: d.titleEn,
        levels: d.levels.map((l) => ({
          code: l.code,
          titleZh: l.titleZh,
          titleEn: l.titleEn,
          format: d.code === 'time' ? TIME_FORMATS[l.code as TimeLevel] : null,
          dimensionCode: d.code,
          jurisdiction: row.definition.jurisdiction,
        })),
      })),
      measures: row.definition.measures.map((m) => ({
        code: m.code,
        titleZh: m.titleZh,
        titleEn: m.titleEn,
        unit: m.unit,
        definition: m.definition,
      })),
      disclosure: { method: row.definition.disclosure.method, threshold: row.definition.disclosure.threshold },
      licenseRequired: row.classification !== 'open',
      source,
      statutoryLimits: Object.entries(limits).map(([kind, days]) => ({ kind, days })),
      published: row.published,
      yourAccess: yourAccess(this.abilities.reachOf(actor, row), actor, row, held.get(row.slug) ?? []),
    };
  }
}

const AREA_PROVINCE = dimensionSpec('area')!.levels.find((l) => l.code === 'province')!;

/**
 * What the caller reaches in a dataset (`CaslAbilityFactory.reachOf`, the answer the aggregate
 * engine enforces) in words, so a caller knows before asking; names the licences held.
 */
function yourAccess(reach: DatasetReach, actor: Actor, row: DatasetEntity, licences: string[]): string {
  const theirs = licences.length
    ? `your licences for it: ${licences.join(', ')}; pass an active one as licenseId`
    : undefined;
  const budget = `with a daily budget of distinct queries for ${actor.principalId ? 'your account' : 'your address'}`;
  switch (reach.kind) {
    case 'no-data':
      return `none: ${reach.why}`;
    case 'all-records':
      return 'all rows, exact values (you hold the records)';
    case 'open':
      return `open: anyone may query it at the published levels, disclosure-controlled, ${budget}`;
    case 'standing': {
      const limits = Object.entries(reach.finest).map(([dimension, level]) => `${dimension} down to ${level}`);
      const own = `without a licence: ${limits.join(', ')} (the rest as published), disclosure-controlled, ${budget}`;
      return theirs ? `${own}; finer under ${theirs}` : own;
    }
    case 'own-department':
      if (reach.departmentCode && row.definition.dimensions.some((d) => d.code === 'department')) {
        const own = `your department's cases only (department ${reach.departmentCode}), exact values`;
        return theirs ? `${own}; other departments' cases under ${theirs}` : `${own}; a sharing licence can widen this`;
      }
      break;
    case 'licence':
      if (!theirs && !reach.mayRequest) return 'licence required: your role does not request licences';
      break;
  }
  return theirs ? `licensed: ${theirs}` : 'licence required: you hold none for it; request one with requestLicense';
}

function buildDefinition(input: PublishDatasetInput): DatasetDefinition {
  const series: Series = input.source;
  if ((input.periodFrom === undefined) !== (input.periodTo === undefined)) {
    throw badUserInput('periodFrom and periodTo go together: give both dates the data cover, or neither.');
  }
  if (input.periodFrom !== undefined && input.periodTo !== undefined && input.periodFrom > input.periodTo) {
    throw badUserInput(`periodFrom ${input.periodFrom} is after periodTo ${input.periodTo}.`);
  }
  const offered = SERIES_DIMENSIONS[series];
  const dimensionChoices = Object.keys(offered);
  const seen = new Set<string>();
  const dimensions = input.dimensions.map((d, i) => {
    const spec = dimensionSpec(d.dimension);
    if (!spec || !offered[d.dimension]) {
      throw badUserInput(
        `dimensions[${i}]: source "${series}" has no dimension "${d.dimension}". Use any of: ${dimensionChoices.join(', ')}.`,
        { validChoices: dimensionChoices },
      );
    }
    if (seen.has(d.dimension)) throw badUserInput(`dimensions[${i}]: "${d.dimension}" is listed twice.`);
    seen.add(d.dimension);
    const finest = spec.levels.findIndex((l) => l.code === offered[d.dimension]);
    const levelChoices = spec.levels.slice(0, finest + 1).map((l) => l.code);
    for (const level of d.levels) {
      if (!levelChoices.includes(level)) {
        throw badUserInput(
          `dimensions[${i}]: "${d.dimension}" has no level "${level}" in source "${series}". Use any of: ${levelChoices.join(', ')}.`,
          { validChoices: levelChoices },
        );
      }
    }
    return {
      code: spec.code,
      titleZh: spec.titleZh,
      titleEn: spec.titleEn,
      levels: spec.levels
        .filter((l) => d.levels.includes(l.code))
        .map((l) => ({ code: l.code, titleZh: l.titleZh, titleEn: l.titleEn })),
    };
  });
  dimensions.sort(
    (a, b) => DIMENSIONS.findIndex((d) => d.code === a.code) - DIMENSIONS.findIndex((d) => d.code === b.code),
  );
  const measureChoices = MEASURES.filter((m) => m.series === series).map((m) => m.code);
  const measures = [...new Set(input.measures)].map((code, i) => {
    const m = MEASURES.find((x) => x.series === series && x.code === code);
    if (!m) {
      throw badUserInput(
        `measures[${i}]: source "${series}" has no measure "${code}". Use any of: ${measureChoices.join(', ')}.`,
        { validChoices: measureChoices },
      );
    }
    return { code: m.code, titleZh: m.titleZh, titleEn: m.titleEn, unit: m.unit, definition: m.definition };
  });
  return {
    dimensions,
    measures,
    disclosure: disclosureOf(input),
    source: series,
    ...(input.periodFrom && input.periodTo ? { period: { from: input.periodFrom, to: input.periodTo } } : {}),
    ...(series === 'cases' ? { statutoryLimitDays: { ...STATUTORY_LIMIT_DAYS } } : {}),
  };
}

/** The dataset's disclosure settings, defaults filled in and ranges checked (docs/disclosure-control.md). */
function disclosureOf(input: PublishDatasetInput): DatasetDefinition['disclosure'] {
  const { config, problems } = normalizeDisclosure(
    {
      method: input.disclosureMethod,
      threshold: input.disclosureThreshold,
      maxNoise: input.maxNoise,
      noiseVariance: input.noiseVariance,
      queryBudget: input.queryBudget,
      publicDailyBudget: input.publicDailyBudget,
      principalDailyBudget: input.principalDailyBudget,
      epsilonPerQuery: input.epsilonPerQuery,
      epsilonBudget: input.epsilonBudget,
    },
    input.classification,
  );
  if (problems.length > 0) throw badUserInput(`Disclosure settings: ${problems.join('; ')}.`);
  return { ...config };
}
