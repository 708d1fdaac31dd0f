import type { IncomingMessage, ServerResponse } from 'node:http';

/** A whole response on a Node.js response: status, type, length and body (no body for HEAD). */
export function sendWhole(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
