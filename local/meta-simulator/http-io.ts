import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request body as text. Past `maxBytes` the rest is drained but not kept, so a huge
 * body cannot exhaust memory and the client still gets an answer.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > maxBytes };
}

export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
}
