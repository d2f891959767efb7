import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsJsonError } from './put-events';

/**
 * The wire side of the AWS JSON 1.1 protocol the SDK v3 clients speak: POST / with
 * `X-Amz-Target: <Service>.<Operation>`, JSON in, JSON out, errors as 4xx with `__type`.
 */

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Far above any valid PutEvents body (entries are capped at 256 KB), so only abuse is cut off. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type AwsJsonRequest =
  | { readonly ok: true; readonly operation: string; readonly body: unknown }
  | { readonly ok: false; readonly status: number; readonly error: AwsJsonError };

/** Reads one request addressed to `serviceTarget` (e.g. "AWSEvents") and names its operation. */
export async function readAwsJsonRequest(req: IncomingMessage, serviceTarget: string): Promise<AwsJsonRequest> {
  const target = req.headers['x-amz-target'];
  const prefix = `${serviceTarget}.`;
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
    req.resume();
    return unknownOperation(`Expected POST with X-Amz-Target ${prefix}<Operation>, got ${req.method} ${String(target)}`);
  }
  const contentType = req.headers['content-type']?.split(';')[0]?.trim();
  if (contentType !== AWS_JSON_CONTENT_TYPE) {
    req.resume();
    return unknownOperation(`Expected Content-Type ${AWS_JSON_CONTENT_TYPE}, got ${String(contentType)}`);
  }
  const raw = await readBody(req);
  if (raw === undefined) {
    return { ok: false, status: 413, error: { type: 'RequestEntityTooLargeException', message: 'Request body is too large' } };
  }
  try {
    return { ok: true, operation: target.slice(prefix.length), body: raw.length === 0 ? {} : JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: { type: 'SerializationException', message: 'Request body is not valid JSON' } };
  }
}

function unknownOperation(message: string): AwsJsonRequest {
  return { ok: false, status: 400, error: { type: 'UnknownOperationException', message } };
}

/** The body, or undefined when it passes the cap (the rest is drained, not stored). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

export function sendAwsJson(res: ServerResponse, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(payload);
}

/** The SDK reads the error name from `x-amzn-errortype` (falling back to `__type`). */
export function sendAwsJsonError(res: ServerResponse, status: number, error: AwsJsonError): void {
  const payload = JSON.stringify({ __type: error.type, message: error.message });
  res.writeHead(status, {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': error.type,
  });
  res.end(payload);
}
