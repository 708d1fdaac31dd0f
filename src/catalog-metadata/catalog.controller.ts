import { Controller, Get, Header, Inject, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { RouteDenialAuditFilter } from '../audit/route-denial-audit.filter.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { requestBaseUrl } from './base-url.js';
import { CatalogMetadataService } from './catalog-metadata.service.js';
import { toJsonLd, toTurtle } from './rdf-graph.js';

/**
 * The catalog for open-data portals: DCAT-AP 3 as JSON-LD (`GET /catalog.jsonld`) and Turtle
 * (`GET /catalog.ttl`). Same credentials as /graphql: a Bearer key lists what its holder may see,
 * no header lists the open datasets.
 */
@Controller()
@UseFilters(RouteDenialAuditFilter)
export class CatalogController {
  constructor(
    private readonly service: CatalogMetadataService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('catalog.jsonld')
  @Allow('read:Catalog')
  @Header('Cache-Control', 'no-store')
  @Header('Vary', 'Authorization')
  async jsonLd(@CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const nodes = await this.service.catalog(actor, this.baseUrl(req));
    void res
      .status(200)
      .type('application/ld+json; charset=utf-8')
      .send(JSON.stringify(toJsonLd(nodes), null, 2));
  }

  @Get('catalog.ttl')
  @Allow('read:Catalog')
  @Header('Cache-Control', 'no-store')
  @Header('Vary', 'Authorization')
  async turtle(@CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const nodes = await this.service.catalog(actor, this.baseUrl(req));
    void res
      .status(200)
      .type('text/turtle; charset=utf-8')
      .send(await toTurtle(nodes));
  }

  private baseUrl(req: FastifyRequest): string {
    return requestBaseUrl(req, this.config);
  }
}
