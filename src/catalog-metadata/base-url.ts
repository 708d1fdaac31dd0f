import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config.js';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The address the caller used (metadata IRIs point there); a malformed Host falls back to the configured one. */
export function requestBaseUrl(req: FastifyRequest, config: Pick<AppConfig, 'host' | 'port'>): string {
  const host = req.headers.host ?? '';
  return HOST.test(host) ? `${req.protocol}://${host}` : `http://${config.host}:${config.port}`;
}
