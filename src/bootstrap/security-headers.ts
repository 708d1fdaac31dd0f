import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

type HeaderStep = { set: string; value: string | number | readonly string[] } | { remove: string };

/**
 * Helmet's response headers, worked out once. With static options (no per-request directive
 * functions: a nonce, say) helmet sets the same values on every response, through a chain of a
 * dozen middleware calls each time. Helmet itself runs once here, on a recording response, and
 * every request gets the recorded steps replayed in helmet's order: the same headers, the same
 * values, the same removals (X-Powered-By). Options that make helmet read the request, or that it
 * cannot apply synchronously, are refused at startup rather than frozen.
 */
export function securityHeaders(
  options: HelmetOptions,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const steps: HeaderStep[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      steps.push({ set: name, value });
      return recorder;
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  };
  const request = new Proxy({} as IncomingMessage, {
    get(_target, property) {
      throw new Error(`securityHeaders: helmet read the request (${String(property)}); its headers vary per request`);
    },
  });
  let finished = false;
  helmet(options)(request, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('securityHeaders: helmet refused its options');
    finished = true;
  });
  if (!finished) throw new Error('securityHeaders: helmet did not finish synchronously');
  return (_req, res, next) => {
    for (const step of steps) {
      if ('set' in step) res.setHeader(step.set, step.value);
      else res.removeHeader(step.remove);
    }
    next();
  };
}
