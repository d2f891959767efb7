import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTemplate, type GraphApiConfig } from '#shared/whatsapp/graph-client';

/**
 * How the Graph client tells "certainly not sent" (retry) from "maybe sent" (never retry),
 * over real HTTP: a server that refuses, hangs, or cuts the connection at given moments.
 */
type Behaviour = 'hang' | 'cut-before-reading' | 'accept-then-cut' | 'cut-mid-answer';
let behaviour: Behaviour = 'hang';
let received = 0;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (behaviour === 'cut-before-reading') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received += 1;
      if (behaviour === 'accept-then-cut') return void req.socket.destroy();
      if (behaviour === 'cut-mid-answer') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"messaging_product":"whatsapp","messages":[{"id":"wamid.');
        setTimeout(() => req.socket.destroy(), 10);
      }
      // 'hang': never answers.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const message = { to: '+5491155550001', templateName: 'posventa_day7_adoption', languageCode: 'es', bodyParameters: ['Lucía', 'Cafetera'] };
const config = (url: string): GraphApiConfig => ({ baseUrl: url, version: 'v23.0', phoneNumberId: '100000000000001', accessToken: 'token', timeoutMs: 300 });

describe('Graph client transport failures', () => {
  it('retries when the connection is refused: nothing reached Meta', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendTemplate(config(url), message);
    expect(result).toMatchObject({ ok: false, retryable: true, message: expect.stringMatching(/ECONNREFUSED/) });
    expect(result).not.toHaveProperty('unconfirmed');
  });

  it.each<[Behaviour, RegExp]>([
    ['hang', /TimeoutError/],
    ['cut-before-reading', /no answer/],
    ['accept-then-cut', /no answer/],
    ['cut-mid-answer', /no answer/],
  ])('leaves the send unconfirmed and not retryable when the server %s', async (what, reason) => {
    behaviour = what;
    const result = await sendTemplate(config(baseUrl), message);
    expect(result).toEqual({ ok: false, retryable: false, unconfirmed: true, message: expect.stringMatching(reason) });
  });

  it('saw the request arrive in every case but the cut before reading', () => {
    expect(received).toBe(3);
  });
});
