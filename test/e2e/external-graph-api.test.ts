import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { purchaseDetail, putPurchase, startTestStack, type TestStack } from '../support/local-stack';
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
let running: TestStack;
let stack: LocalStack;

beforeAll(async () => {
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
  running = await startTestStack({
    dayMs: 20,
    graphApiBaseUrl: graphUrl,
    metaAppSecret: 'secret-from-env',
    metaVerifyToken: 'token-from-env',
    metaAccessToken: 'access-token-from-env',
  });
  stack = running.stack;
}, 180_000);

afterAll(async () => {
  await running?.stop();
  await new Promise((resolve) => graph?.close(resolve));
});

it('sends to GRAPH_API_BASE_URL with the configured access token, and runs no simulator', async () => {
  expect(stack.simulator).toBeUndefined();
  expect(stack.info.graphApiBaseUrl).toBe(graphUrl);

  const detail = purchaseDetail('EXT-1', { id: 'C-9', phone: '+5511987654321', name: 'João', locale: 'pt-BR', timezone: 'America/Sao_Paulo' });
  expect(await putPurchase(stack.info, detail)).toBe(0);

  const first = await waitFor('a send at the external Graph API', () => received[0], 30_000);
  expect(first.path).toBe(`/v23.0/${stack.info.phoneNumberId}/messages`);
  expect(first.authorization).toBe('Bearer access-token-from-env');
  expect(first.body).toMatchObject({ messaging_product: 'whatsapp', to: '5511987654321', type: 'template', template: { language: { code: 'pt_BR' } } });
  expect(first.body.template.name).toMatch(/^posventa_day7_/);
});
