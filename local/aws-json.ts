import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The AWS JSON protocols (1.0 for Step Functions, 1.1 for EventBridge) as the SDK v3 clients
 * speak them: POST /, the operation in `X-Amz-Target: <prefix>.<Operation>`, JSON in and out,
 * and errors as 4xx with the error name in `__type` and `x-amzn-errortype`, which the SDK
 * turns into its named exception. Every local AWS stand-in answers through this one listener.
 */

export interface AwsJsonError {
  name: string;
  message: string;
  /** 400 unless said otherwise. */
  httpStatus?: number;
}

export type AwsJsonResult = { ok: true; value: unknown } | { ok: false; error: AwsJsonError };

export type AwsJsonOperation = (request: Record<string, unknown>) => AwsJsonResult | Promise<AwsJsonResult>;

export interface AwsJsonService {
  /** Shown in logs, e.g. "stepfunctions". */
  name: string;
  /** `X-Amz-Target` prefix, e.g. "AWSStepFunctions" or "AWSEvents". */
  targetPrefix: string;
  protocolVersion: '1.0' | '1.1';
  operations: Record<string, AwsJsonOperation>;
  log: (line: string) => void;
}

/** Far above what any service accepts (256 KiB inputs and entries); refuses runaway bodies. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function awsJsonListener(service: AwsJsonService): (req: IncomingMessage, res: ServerResponse) => void {
  const contentType = `application/x-amz-json-${service.protocolVersion}`;
  return (req, res) => {
    void respond(req, service, contentType).then(
      (result) => send(res, result, contentType),
      (unexpected: unknown) => {
        service.log(`[${service.name}] internal error: ${unexpected instanceof Error ? unexpected.stack : String(unexpected)}`);
        send(res, { ok: false, error: { name: 'InternalFailure', message: 'Internal failure', httpStatus: 500 } }, contentType);
      },
    );
  };
}

async function respond(req: IncomingMessage, { targetPrefix, operations }: AwsJsonService, contentType: string): Promise<AwsJsonResult> {
  const target = req.headers['x-amz-target'];
  const operationName = typeof target === 'string' && target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : undefined;
  const operation = operationName !== undefined && Object.hasOwn(operations, operationName) ? operations[operationName] : undefined;
  if (req.method !== 'POST' || operation === undefined) {
    await drain(req);
    return unknownOperation(String(target ?? ''));
  }
  const receivedType = req.headers['content-type']?.split(';')[0]?.trim();
  if (receivedType !== contentType) {
    await drain(req);
    return refused('UnknownOperationException', `Expected Content-Type ${contentType}, got ${String(receivedType)}`);
  }

  const body = await readBody(req);
  if (body === undefined) return { ok: false, error: { name: 'RequestEntityTooLargeException', message: `Request body is larger than ${MAX_BODY_BYTES} bytes`, httpStatus: 413 } };
  let request: unknown;
  try {
    request = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    return refused('SerializationException', 'Request body is not valid JSON');
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return refused('SerializationException', 'Request body must be a JSON object');
  }
  return operation(request as Record<string, unknown>);
}

function unknownOperation(target: string): AwsJsonResult {
  return refused('UnknownOperationException', `Unknown operation: '${target}'`);
}

function refused(name: string, message: string): AwsJsonResult {
  return { ok: false, error: { name, message } };
}

/** The body as text, or undefined when it is too large (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // Read to the end so the connection can be reused.
  }
}

function send(res: ServerResponse, result: AwsJsonResult, contentType: string): void {
  const headers: Record<string, string> = { 'content-type': contentType, 'x-amzn-requestid': randomUUID() };
  let status = 200;
  let payload: unknown = result.ok ? result.value : undefined;
  if (!result.ok) {
    status = result.error.httpStatus ?? 400;
    headers['x-amzn-errortype'] = result.error.name;
    payload = { __type: result.error.name, message: result.error.message };
  }
  const text = JSON.stringify(payload ?? {});
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, headers).end(text);
}
