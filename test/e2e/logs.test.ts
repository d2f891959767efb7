import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '#shared/log';
import { inboundTextWebhook, purchaseDetail, putPurchase, startTestStack, type TestStack } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * No phone number in clear in any function's logs (DESIGN.md §7), checked on what the functions
 * really write: the whole local stack logging at DEBUG, with every invocation event logged too
 * (purchases, send-step inputs and webhook bodies all carry the phone), through a purchase, its
 * day-7 send, Meta's status webhooks, a reply, an opt-out and a webhook with a bad signature.
 */
const DAY_MS = 80;
const APP_SECRET = 'e2e-logs-app-secret';
const PHONE = '+5491155550077';
const lines: string[] = [];

let running: TestStack;

beforeAll(async () => {
  running = await startTestStack({ dayMs: DAY_MS, metaAppSecret: APP_SECRET, functionLogLevel: 'DEBUG', logFunctionEvents: true, functionOutput: (line) => lines.push(line) });
}, 180_000);

afterAll(async () => {
  await running?.stop();
});

describe('function logs on the local stack', () => {
  it('show the customer only as a masked phone number, whatever the functions log', async () => {
    const { info, simulator, clock } = running.stack;
    expect(await putPurchase(info, purchaseDetail('ORD-LOGS-1', { id: 'CUST-LOGS', phone: PHONE }, clock.now()))).toBe(0);
    const templates = () => simulator!.sends.filter((s) => s.request.type === 'template');
    const [day7] = await waitFor('the day-7 template', () => (templates().length > 0 ? templates() : undefined), 20_000);
    await simulator!.idle();

    const post = async (text: string, signature?: string) => {
      const { body, headers } = inboundTextWebhook(info, { from: day7!.waId, wamid: `wamid.LOGS${text}${'A'.repeat(24)}`, text, at: clock.now(), repliesTo: day7!.wamid }, APP_SECRET);
      return (await fetch(info.webhookUrl, { method: 'POST', headers: { ...headers, ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) }, body })).status;
    };
    expect(await post('1')).toBe(200);
    expect(await post('BAJA')).toBe(200);
    expect(await post('hola', `sha256=${'0'.repeat(64)}`)).toBe(401);

    // The webhook's rejection is the last thing logged; worker output arrives asynchronously.
    await waitFor('the webhook rejection in the logs', () => (lines.some((line) => line.includes('webhook rejected')) ? true : undefined), 10_000);
    const output = lines.join('\n');
    // The phone went through the logs (events are logged), masked.
    expect(output).toContain(maskPhone(PHONE));
    for (const clear of [PHONE.slice(1), PHONE.slice(-10)]) expect(output).not.toContain(clear);
  });
});
