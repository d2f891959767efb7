// Entry of the load-generator process the HTTP benchmark starts, so autocannon does not share
// an event loop with the local stack it measures. Arguments: one JSON object (LoadOptions).
// Writes autocannon's result as one JSON line on stdout.
import autocannon from 'autocannon';
import { SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import { statusStreamBodies } from './webhook-bodies';

export interface LoadOptions {
  url: string;
  appSecret: string;
  rate: number;
  durationS: number;
  connections: number;
  /** ISO instant the statuses carry: it sets their KPI day, which tells runs apart. */
  at: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
// Fresh messages, each with its sent, delivered and read seconds apart as Meta posts them:
// distinct event ids, as real traffic has (no dedupe shortcut), and no two webhooks of one
// message racing each other (which Meta does not do, and which the webhook answers with a retry).
const bodies = statusStreamBodies(Math.ceil(options.rate * options.durationS * 1.2), options.rate, options.appSecret, new Date(options.at));
let next = 0;

const result = await autocannon({
  url: options.url,
  method: 'POST',
  connections: options.connections,
  duration: options.durationS,
  overallRate: options.rate,
  timeout: 10,
  requests: [
    {
      method: 'POST',
      setupRequest: (request) => {
        const body = bodies[next++ % bodies.length]!;
        return { ...request, body: body.raw, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: body.signature } };
      },
    },
  ],
});
process.stdout.write(`${JSON.stringify({ ...result, bodiesSent: next })}\n`);
