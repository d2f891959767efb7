import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UsageMeter } from './usage';

/**
 * Sits between the functions and DynamoDB Local and counts what DynamoDB would bill: it asks
 * for `ReturnConsumedCapacity: TOTAL` on every request that takes it and reads the units from
 * the answer; the functions' own requests and the answers they get are otherwise untouched
 * (a `ConsumedCapacity` they did not ask for is ignored by the SDK).
 *
 * Two corrections, because DynamoDB Local does not bill like DynamoDB:
 * - transactions cost 2 units per item in DynamoDB and 1 in DynamoDB Local: doubled here;
 * - a refused conditional write (and each item of a cancelled transaction) consumes write
 *   units in DynamoDB, but the error carries no ConsumedCapacity: counted as 1 unit per item
 *   (2 in a transaction), i.e. items of at most 1 KB.
 */

const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const TRANSACTIONS = new Set(['TransactGetItems', 'TransactWriteItems']);

export interface DynamoDbProxy {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoDbProxy(target: string, meter: UsageMeter): Promise<DynamoDbProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, res, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60_000;

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'Unknown';
    let sent = body;
    let itemCount = 1;
    if (CAPACITY_OPERATIONS.has(operation)) {
      const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      json.ReturnConsumedCapacity = 'TOTAL';
      itemCount = Array.isArray(json.TransactItems) ? json.TransactItems.length : 1;
      sent = Buffer.from(JSON.stringify(json));
    }
    // Plain answers, so the units can be read from them.
    const { 'accept-encoding': _encoding, ...forwarded } = req.headers;
    const headers = { ...forwarded, 'content-length': String(sent.length), host: upstream.host };
    const call = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => parts.push(chunk));
      answer.on('end', () => {
        const answerBody = Buffer.concat(parts);
        record(operation, answer.statusCode ?? 500, answerBody, itemCount);
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        res.end(answerBody);
      });
    });
    call.on('error', (error) => {
      res.destroy(error);
    });
    call.end(sent);
  }

  function record(operation: string, status: number, answer: Buffer, itemCount: number): void {
    if (!CAPACITY_OPERATIONS.has(operation)) return meter.dynamoDbRequest(operation, 0, 0);
    const factor = TRANSACTIONS.has(operation) ? 2 : 1;
    const read = READS.has(operation);
    if (status !== 200) {
      // Conditional check failures and cancelled transactions still consume (write) capacity.
      const failedUnits = read ? 0 : itemCount * factor;
      return meter.dynamoDbRequest(operation, 0, failedUnits);
    }
    const consumed = (JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
    const total = (Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) * factor;
    meter.dynamoDbRequest(operation, read ? total : 0, read ? 0 : total);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
