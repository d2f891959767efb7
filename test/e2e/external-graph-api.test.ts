import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { waitFor } from '../support/wait';

/** With GRAPH_API_BASE_URL set, the local stack sends to that server and simulates nothing. */
interface ReceivedRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, any>;
}

let graph: Server;
let graphUrl: string;
const received: ReceivedRequest[] = [];
let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  graph = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [], messages: [{ id: `wamid.external-${received.length}` }] }));
    });
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;
  stateDir = await mkdtemp(join(tmpdir(), 'posventa-e2e-graph-'));
  stack = await startLocalStack({
    port: 0,
    dayMs: 20,
    graphApiBaseUrl: graphUrl,
    metaAppSecret: 'secret-from-env',
    metaVerifyToken: 'token-from-env',
    metaAccessToken: 'access-token-from-env',
    stateDir,
    functionLogLevel: 'ERROR',
    log: () => undefined,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => graph?.close(resolve));
  await rm(stateDir, { recursive: true, force: true });
});

it('sends to GRAPH_API_BASE_URL with the configured access token, and runs no simulator', async () => {
  expect(stack.simulator).toBeUndefined();
  expect(stack.info.graphApiBaseUrl).toBe(graphUrl);

  const eventBridge = new EventBridgeClient({
    endpoint: stack.info.eventBridgeEndpoint,
    region: stack.info.region,
    credentials: { accessKeyId: 'store', secretAccessKey: 'store' },
  });
  const now = new Date().toISOString();
  await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: stack.info.eventBusName,
          Source: 'posventa.store',
          DetailType: 'Purchase Completed',
          Detail: JSON.stringify({
            orderId: 'EXT-1',
            purchasedAt: now,
            customer: { id: 'C-9', phone: '+5511987654321', name: 'João', locale: 'pt-BR', timezone: 'America/Sao_Paulo', optIn: { source: 'checkout', at: now } },
            items: [{ sku: 'S-1', name: 'Liquidificador' }],
          }),
        },
      ],
    }),
  );

  const first = await waitFor('a send at the external Graph API', () => received[0], 30_000);
  expect(first.path).toBe(`/v23.0/${stack.info.phoneNumberId}/messages`);
  expect(first.authorization).toBe('Bearer access-token-from-env');
  expect(first.body).toMatchObject({ messaging_product: 'whatsapp', to: '5511987654321', type: 'template', template: { language: { code: 'pt_BR' } } });
  expect(first.body.template.name).toMatch(/^posventa_day7_/);
});
