import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BodyTooLarge, readBody, sendJson, type Listener } from './http';

export interface HttpRoute {
  method: string;
  path: string;
  invoke(event: APIGatewayProxyEventV2): Promise<unknown>;
}

// HTTP APIs cap payloads at 10 MB.
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_CONTENT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+json)/i;

/** The event an HTTP API (payload format 2.0) hands a Lambda integration. */
export function httpApiEvent(req: IncomingMessage, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const isText = TEXT_CONTENT.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie === undefined ? {} : { cookies: req.headers.cookie.split('; ') }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length === 0 ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function writeResult(res: ServerResponse, result: unknown): void {
  const structured = result as APIGatewayProxyStructuredResultV2 | null;
  if (structured === null || typeof structured !== 'object' || typeof structured.statusCode !== 'number') {
    // Payload 2.0 treats anything else as a JSON body with status 200.
    sendJson(res, 200, result);
    return;
  }
  const body = structured.body === undefined ? '' : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(structured.statusCode, { ...(structured.headers as Record<string, string>) });
  if (structured.cookies !== undefined) res.setHeader('set-cookie', structured.cookies);
  res.end(body);
}

/**
 * Stands in for API Gateway's HTTP API: matches routes from the template, invokes the
 * function with the same event shape, and maps its result back. Requests no route matches
 * fall through to `fallback` (the local pages), else 404 like API Gateway. A function that
 * throws or times out is a 500, as on AWS; `onFunctionError` hears why (AWS logs it, the
 * caller sees nothing).
 */
export function createHttpApi(routes: readonly HttpRoute[], fallback?: Listener, onFunctionError?: (routeKey: string, error: unknown) => void): Listener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path && (r.method === req.method || r.method === 'ANY'));
    if (route === undefined) {
      if (fallback !== undefined) return fallback(req, res);
      return sendJson(res, 404, { message: 'Not Found' });
    }
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_PAYLOAD_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) return sendJson(res, 413, { message: 'Request Entity Too Large' });
        throw error;
      }
      try {
        writeResult(res, await route.invoke(httpApiEvent(req, body, `${route.method} ${route.path}`)));
      } catch (error) {
        onFunctionError?.(`${route.method} ${route.path}`, error);
        sendJson(res, 500, { message: 'Internal Server Error' });
      }
    })();
  };
}
