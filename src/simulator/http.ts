import { IncomingMessage, ServerResponse } from 'node:http';

/** One API's share of the routes. */
export interface Api {
  /** Answers and returns true, or returns false to pass the request on; `body` is unset for GET. */
  handle(
    req: IncomingMessage,
    path: string,
    body: string | undefined,
    res: ServerResponse,
  ): boolean;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(text);
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}
