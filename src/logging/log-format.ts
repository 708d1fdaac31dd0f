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
    ignore: 'pid,hostname',
    singleLine: true,
    messageFormat: '{if requestId}[{requestId}] {end}{msg}',
  });
}
