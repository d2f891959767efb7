import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { virtualClock } from '#shared/clock';
import { SIGNATURE_HEADER, isValidWebhookSignature } from '#shared/whatsapp/signature';
import { createMetaSimulator, undeliverable, type MetaSimulator, type MetaSimulatorOptions } from '../../../local/meta-simulator';

// Real HTTP both ways: the simulator's listener on one ephemeral port, a webhook receiver
// that checks signatures over the raw bytes on another. 1 virtual day = 86.4 real seconds
// / 1000, so 1 virtual second is 1 real millisecond and a `read` at 60 s comes after 60 ms.
const DAY_MS = 86_400;
const ACCESS_TOKEN = 'local-system-user-token';
const APP_SECRET = 'local-app-secret';
const PHONE_NUMBER_ID = '106540352242922';

interface ReceivedWebhook {
  rawBody: Buffer;
  signature: string | undefined;
  signatureValid: boolean;
  contentType: string | undefined;
  payload: any;
  answeredStatus: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A webhook endpoint like ours: verifies the signature, answers what `answer` says (200 by default). */
async function startReceiver(answer: (index: number) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const url = await listen(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const answeredStatus = answer(received.length);
    const signature = request.headers[SIGNATURE_HEADER] as string | undefined;
    received.push({
      rawBody,
      signature,
      signatureValid: isValidWebhookSignature(rawBody, signature, APP_SECRET),
      contentType: request.headers['content-type'],
      payload: JSON.parse(rawBody.toString('utf8')),
      answeredStatus,
    });
    response.writeHead(answeredStatus).end();
  });
  return { url: `${url}/webhook`, received };
}

async function startSimulator(webhookUrl: string, overrides: Partial<MetaSimulatorOptions> = {}) {
  const logs: string[] = [];
  const clock = virtualClock(Date.now(), DAY_MS);
  const simulator: MetaSimulator = createMetaSimulator({
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    phoneNumberId: PHONE_NUMBER_ID,
    webhookUrl,
    clock,
    templates: [
      { name: 'posventa_day7_adoption', language: 'es', bodyParameters: 2 },
      { name: 'posventa_day60_offer', language: 'es', bodyParameters: 1, category: 'marketing' },
    ],
    webhookRetryDelaysMs: [20, 40],
    log: (line) => logs.push(line),
    ...overrides,
  });
  cleanups.push(() => simulator.close());
  const baseUrl = await listen(simulator.listener);
  return { simulator, baseUrl, logs, clock };
}

function day7Template(extra: Record<string, unknown> = {}) {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '+5491155550001',
    type: 'template',
    template: {
      name: 'posventa_day7_adoption',
      language: { code: 'es' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: 'Lucía' }, { type: 'text', text: 'Cafetera Deluxe' }] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'D7_CHAT' }] },
      ],
    },
    biz_opaque_callback_data: 'order-123|day7|A',
    ...extra,
  };
}

async function send(baseUrl: string, body: unknown, { token = ACCESS_TOKEN, version = 'v23.0', phoneNumberId = PHONE_NUMBER_ID } = {}) {
  const response = await fetch(`${baseUrl}/${version}/${phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), json: (await response.json()) as any };
}

function statusesOf(webhooks: ReceivedWebhook[]) {
  return webhooks.flatMap((webhook) => webhook.payload.entry.flatMap((entry: any) => entry.changes.flatMap((change: any) => change.value.statuses)));
}

describe('Meta simulator: accepted sends', () => {
  it('answers like Meta and posts signed sent, delivered, read webhooks in order, on virtual time', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, day7Template());

    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.json).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+5491155550001', wa_id: '5491155550001' }],
      messages: [{ id: expect.stringMatching(/^wamid\.\S+$/), message_status: 'accepted' }],
    });
    const wamid: string = answer.json.messages[0].id;
    expect(simulator.sends).toHaveLength(1);
    const recorded = simulator.sends[0]!;
    expect(recorded).toMatchObject({ wamid, apiVersion: 'v23.0', phoneNumberId: PHONE_NUMBER_ID, bearerTokenValid: true, waId: '5491155550001', pricingCategory: 'utility' });
    expect(recorded.request).toEqual(day7Template());

    await simulator.idle();

    expect(receiver.received).toHaveLength(3);
    for (const webhook of receiver.received) {
      expect(webhook.signatureValid).toBe(true);
      expect(webhook.contentType).toBe('application/json');
      expect(webhook.payload.object).toBe('whatsapp_business_account');
      expect(webhook.payload.entry[0].changes[0].field).toBe('messages');
      expect(webhook.payload.entry[0].changes[0].value.metadata.phone_number_id).toBe(PHONE_NUMBER_ID);
    }
    const statuses = statusesOf(receiver.received);
    expect(statuses.map((status: any) => status.status)).toEqual(['sent', 'delivered', 'read']);
    const acceptedSeconds = recorded.acceptedAt.getTime() / 1000;
    expect(statuses.map((status: any) => Number(status.timestamp))).toEqual([1, 5, 60].map((delay) => Math.floor(acceptedSeconds + delay)));
    for (const status of statuses) {
      expect(status).toMatchObject({ id: wamid, recipient_id: '5491155550001', biz_opaque_callback_data: 'order-123|day7|A' });
    }
    expect(statuses[0].pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' });
    expect(statuses[0].conversation).toMatchObject({ origin: { type: 'utility' } });
  });

  it('uses the template category from the catalogue, and leaves out what the send did not set', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);
    const offer = {
      messaging_product: 'whatsapp',
      to: '5491155550002',
      type: 'template',
      template: { name: 'posventa_day60_offer', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '15%' }] }] },
    };

    expect((await send(baseUrl, offer, { version: 'v24.0' })).status).toBe(200);
    await simulator.idle();

    const statuses = statusesOf(receiver.received);
    expect(statuses.map((status: any) => status.pricing?.category)).toEqual(['marketing', 'marketing', undefined]);
    for (const status of statuses) {
      expect(status).not.toHaveProperty('biz_opaque_callback_data');
      // Graph API v24.0 and later leave `conversation` out.
      expect(status).not.toHaveProperty('conversation');
    }
  });

  it('signs the bytes it sends, escaped as Meta escapes them', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    expect((await send(baseUrl, day7Template({ biz_opaque_callback_data: 'pedido/ñandú' }))).status).toBe(200);
    await simulator.idle();

    const sent = receiver.received[0]!;
    expect(sent.signatureValid).toBe(true);
    expect(sent.rawBody.toString('utf8')).toContain('pedido\\/\\u00f1and\\u00fa');
    expect(statusesOf([sent])[0].biz_opaque_callback_data).toBe('pedido/ñandú');
    // A receiver that re-serialises the parsed JSON gets other bytes and must fail the check.
    expect(isValidWebhookSignature(Buffer.from(JSON.stringify(sent.payload)), sent.signature, APP_SECRET)).toBe(false);
  });

  it('accepts free-form text as a free service message', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, { messaging_product: 'whatsapp', to: '5491155550001', type: 'text', text: { body: 'Listo, no te escribimos más.' } });

    expect(answer.status).toBe(200);
    await simulator.idle();
    expect(simulator.sends[0]?.pricingCategory).toBe('service');
    expect(statusesOf(receiver.received)[0].pricing).toEqual({ billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' });
  });
});

describe('Meta simulator: recipients', () => {
  it('posts sent then failed (131026, not billed) for a recipient who cannot get the message, and nothing more', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url, { recipients: () => ({ failure: undeliverable(), reply: { text: '1', afterReadSeconds: 0 } }) });

    expect((await send(baseUrl, day7Template())).status).toBe(200);
    await simulator.idle();

    const statuses = statusesOf(receiver.received);
    expect(statuses.map((status: any) => status.status)).toEqual(['sent', 'failed']);
    expect(statuses[1]).toMatchObject({ id: simulator.sends[0]!.wamid, biz_opaque_callback_data: 'order-123|day7|A', errors: [{ code: 131026, title: 'Message undeliverable' }] });
    expect(statuses[1]).not.toHaveProperty('pricing');
    expect(simulator.inbound).toEqual([]);
  });

  it("posts the recipient's answer after the read, signed, quoting the message, on virtual time", async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url, { recipients: () => ({ reply: { text: 'SÍ', afterReadSeconds: 30 } }) });

    expect((await send(baseUrl, day7Template())).status).toBe(200);
    await simulator.idle();

    expect(receiver.received).toHaveLength(4);
    const answer = receiver.received[3]!;
    expect(answer.signatureValid).toBe(true);
    expect(answer.rawBody.toString('utf8')).toContain('S\\u00cd');
    const { wamid, acceptedAt } = simulator.sends[0]!;
    const value = answer.payload.entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ profile: { name: 'Cliente' }, wa_id: '5491155550001' }]);
    expect(value.messages).toEqual([
      {
        from: '5491155550001',
        id: expect.stringMatching(/^wamid\./),
        timestamp: String(Math.floor(acceptedAt.getTime() / 1000) + 90),
        type: 'text',
        text: { body: 'SÍ' },
        context: { from: '15550000000', id: wamid },
      },
    ]);
    expect(simulator.inbound).toMatchObject([{ from: '5491155550001', text: 'SÍ', repliesTo: wamid, acknowledged: true }]);
  });
});

describe('Meta simulator: refused sends', () => {
  it('refuses a wrong or missing token with 401, code 190, and records no send', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    const wrong = await send(baseUrl, day7Template(), { token: 'not-the-token' });
    const missing = await fetch(`${baseUrl}/v23.0/${PHONE_NUMBER_ID}/messages`, { method: 'POST', body: JSON.stringify(day7Template()) });

    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { message: expect.any(String), type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error.code).toBe(190);
    expect(simulator.sends).toHaveLength(0);
    expect(simulator.rejections.map((rejection) => [rejection.code, rejection.bearerTokenValid])).toEqual([
      [190, false],
      [190, false],
    ]);
    await simulator.idle();
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a phone number id it does not have', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, day7Template(), { phoneNumberId: '999999999999999' });

    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 });
    expect(answer.json.error.message).toContain("'999999999999999'");
    expect(simulator.sends).toHaveLength(0);
  });

  const template = day7Template();
  it.each([
    ['not JSON', '{"messaging_product":', 'body'],
    ['another messaging product', { ...template, messaging_product: 'sms' }, 'messaging_product'],
    ['a phone with letters', { ...template, to: '+54911CALLME' }, 'to'],
    ['a phone with 7 digits', { ...template, to: '1234567' }, 'to'],
    ['a phone with 16 digits', { ...template, to: '1234567890123456' }, 'to'],
    ['callback data over 512 characters', { ...template, biz_opaque_callback_data: 'x'.repeat(513) }, 'biz_opaque_callback_data'],
    ['no template language', { ...template, template: { name: 'posventa_day7_adoption', components: [] } }, 'template.language'],
    ['a body parameter that is not text', { ...template, template: { ...template.template, components: [{ type: 'body', parameters: [{ type: 'currency' }] }] } }, 'template.components.0'],
    [
      'a quick reply without payload',
      { ...template, template: { ...template.template, components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload' }] }] } },
      'template.components.0.parameters.0.payload',
    ],
    ['an unknown message type', { ...template, type: 'carrier_pigeon' }, 'type'],
  ])('refuses %s with 400, code 100, naming the field', async (_case, body, field) => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, body);

    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: { messaging_product: 'whatsapp', details: expect.stringContaining(field) }, fbtrace_id: expect.any(String) },
    });
    expect(simulator.sends).toHaveLength(0);
  });

  it('refuses a template the account does not have, or not in that language, with 132001', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl, logs } = await startSimulator(receiver.url);

    const unknownName = await send(baseUrl, day7Template({ template: { ...day7Template().template, name: 'posventa_day7_adoptoin' } }));
    const unknownLanguage = await send(baseUrl, day7Template({ template: { ...day7Template().template, language: { code: 'pt_BR' } } }));

    for (const answer of [unknownName, unknownLanguage]) {
      expect(answer.status).toBe(404);
      expect(answer.json.error).toMatchObject({ type: 'OAuthException', code: 132001, error_data: { messaging_product: 'whatsapp' } });
    }
    expect(unknownName.json.error.error_data.details).toBe('template name (posventa_day7_adoptoin) does not exist in es');
    expect(unknownLanguage.json.error.error_data.details).toBe('template name (posventa_day7_adoption) does not exist in pt_BR');
    expect(simulator.sends).toHaveLength(0);
    expect(logs.filter((line) => line.includes('code 132001'))).toHaveLength(2);
  });

  it('refuses a wrong number of body parameters with 132000', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url);
    const oneParameter = { ...day7Template().template, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Lucía' }] }] };

    const answer = await send(baseUrl, day7Template({ template: oneParameter }));

    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 132000, error_data: { details: 'body: number of localizable_params (1) does not match the expected number of params (2)' } });
    expect(simulator.sends).toHaveLength(0);
  });
});

describe('Meta simulator: webhook delivery', () => {
  it('retries a webhook the receiver answered with 500, then goes on in order', async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 500 : 200));
    const { simulator, baseUrl, logs } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, day7Template());
    await simulator.idle();

    const wamid = answer.json.messages[0].id;
    expect(receiver.received.map((webhook) => [statusesOf([webhook])[0].status, webhook.answeredStatus])).toEqual([
      ['sent', 500],
      ['sent', 200],
      ['delivered', 200],
      ['read', 200],
    ]);
    // Meta re-sends the same notification: same bytes, same signature.
    expect(receiver.received[1]!.rawBody.equals(receiver.received[0]!.rawBody)).toBe(true);
    expect(receiver.received.every((webhook) => webhook.signatureValid)).toBe(true);
    expect(logs.filter((line) => line.includes('webhook'))).toEqual([expect.stringContaining(`webhook (sent status for ${wamid}) answered HTTP 500; retry 1/2`)]);
  });

  it('drops a webhook after the last retry, with a log line, and goes on', async () => {
    const receiver = await startReceiver((index) => (index < 3 ? 503 : 200));
    const { simulator, baseUrl, logs } = await startSimulator(receiver.url);

    const answer = await send(baseUrl, day7Template());
    await simulator.idle();

    const wamid = answer.json.messages[0].id;
    expect(logs[0]).toMatch(/accepted template posventa_day7_adoption \(es\) to \+54\*+01 at /);
    expect(receiver.received.map((webhook) => statusesOf([webhook])[0].status)).toEqual(['sent', 'sent', 'sent', 'delivered', 'read']);
    expect(logs.at(-1)).toContain(`dropped webhook (sent status for ${wamid}) after 3 attempts; last: answered HTTP 503`);
  });

  it('retries when the receiver cannot be reached', async () => {
    // A port that was just closed: connections are refused.
    const closedUrl = await listen(() => undefined);
    await cleanups.pop()!();
    const { simulator, baseUrl, logs } = await startSimulator(`${closedUrl}/webhook`, { statusDelaysSeconds: { delivered: 1, read: 1 } });

    expect((await send(baseUrl, day7Template())).status).toBe(200);
    await simulator.idle();

    expect(logs.filter((line) => line.includes('dropped webhook'))).toHaveLength(3);
    expect(logs.find((line) => line.includes('webhook'))).toMatch(/failed: fetch failed: .*ECONNREFUSED/);
  });

  it('sends nothing more once closed', async () => {
    const receiver = await startReceiver();
    const { simulator, baseUrl } = await startSimulator(receiver.url, { statusDelaysSeconds: { sent: 3600, delivered: 3600, read: 3600 } });

    expect((await send(baseUrl, day7Template())).status).toBe(200);
    simulator.close();
    await simulator.idle();

    expect(receiver.received).toHaveLength(0);
  });
});
