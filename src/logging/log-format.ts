import type { DestinationStream } from 'pino';
import PinoPretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config.js';

/**
 * Where log lines go: JSON to standard output, or (LOG_FORMAT=pretty, the default on a terminal)
 * through pino-pretty as coloured lines. Formatting happens after pino has serialized and redacted
 * each line, so both formats show exactly the same fields, with the same redactions.
 */
export function logDestination(
  format: AppConfig['logFormat'],
  destination: NodeJS.WritableStream = process.stdout,
  colorize = destination === process.stdout && process.stdout.isTTY === true,
): DestinationStream | undefined {
  if (format === 'json') return destination === process.stdout ? undefined : destination;
  return PinoPretty({
    destination,
    colorize,
    // In-process and synchronous: no worker thread, nothing lost when the process exits.
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // Shown in the line itself (readableLine) rather than as JSON after it.
    ignore: 'pid,hostname,req,res,responseTime,requestId,context',
    singleLine: true,
    messageFormat: readableLine,
  });
}

/** `[request id] (context) POST /graphql 200 12ms request completed`: what an operator scans for first. */
export function readableLine(log: Record<string, unknown>, messageKey: string): string {
  const req = (log.req ?? {}) as { id?: unknown; method?: unknown; path?: unknown };
  const res = (log.res ?? {}) as { statusCode?: unknown };
  const id = typeof log.requestId === 'string' ? log.requestId : typeof req.id === 'string' ? req.id : undefined;
  const parts: string[] = [];
  if (id) parts.push(`[${id}]`);
  if (typeof log.context === 'string') parts.push(`(${log.context})`);
  if (typeof req.method === 'string' && typeof req.path === 'string') parts.push(req.method, req.path);
  if (typeof res.statusCode === 'number') parts.push(String(res.statusCode));
  if (typeof log.responseTime === 'number') parts.push(`${log.responseTime}ms`);
  const message = log[messageKey];
  if (typeof message === 'string') parts.push(message);
  return parts.join(' ');
}
