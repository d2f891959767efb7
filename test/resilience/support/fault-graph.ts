import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Graph API over real HTTP that injects faults on purpose. Each recipient gets a script:
 * the faults its next requests meet, in order; then every request is accepted. The server
 * keeps what a test needs to judge the sender: every request that arrived, and every send it
 * accepted (what "Meta" would have delivered), so double sends are counted where they happen.
 */
export type Fault =
  /** 429 with 130429 (throughput): Meta took nothing; retry with backoff. */
  | 'rate-limit'
  /** 400 with 131056 (pair rate limit): Meta took nothing; retry later. */
  | 'pair-limit'
  /** 500 with 131000 ("something went wrong"): Meta took nothing, says retry. */
  | 'server-error'
  /** 503 with an HTML body, as a load balancer answers: nothing taken. */
  | 'unavailable'
  /** The connection is cut before the request is read: nothing taken, but the sender cannot know. */
  | 'cut-before-accept'
  /** Taken, then the connection is cut before any answer: the sender cannot know it was. */
  | 'accept-then-cut'
  /** Taken, and the answer comes after the sender has given up (its timeout). */
  | 'accept-then-stall'
  /** Held unanswered, not taken, while `onHold` runs (a test crashes the sender there). */
  | 'hold-before-accept'
  /** Taken, then held unanswered while `onHold` runs. */
  | 'hold-after-accept'
  /** A permanent error: the HTTP status and Meta code Meta answers it with. */
  | { permanent: number; httpStatus: number };

export interface ArrivedRequest {
  to: string;
  template: string | undefined;
  callbackData: string | undefined;
  fault: Fault | 'none';
  /** Virtual time, from the clock the stack shares. */
  at: number;
}

export interface AcceptedSend {
  wamid: string;
  to: string;
  template: string | undefined;
  callbackData: string | undefined;
  /** Virtual time of acceptance. */
  acceptedAt: number;
}

export interface FaultGraph {
  url: string;
  readonly arrived: readonly ArrivedRequest[];
  readonly accepted: readonly AcceptedSend[];
  /** Faults the next requests to `to` (digits, as Meta wants them) meet, in order. */
  script(to: string, faults: readonly Fault[]): void;
  /** The clock acceptance times are read from (the stack's virtual clock, once it runs). */
  useClock(now: () => number): void;
  acceptedTo(to: string): AcceptedSend[];
  /** Runs when a request meets a hold fault; the request stays unanswered until the sender gives up or dies. */
  onHold: ((request: ArrivedRequest) => void) | undefined;
  /** Runs when "Meta" takes a message, whatever its answer does next (a test posts Meta's status webhooks there). */
  onAccepted: ((send: AcceptedSend) => void) | undefined;
  close(): Promise<void>;
}

const STALL_MS = 5_000;

function graphError(res: ServerResponse, httpStatus: number, code: number, message: string): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, fbtrace_id: randomBytes(9).toString('base64url') } }));
}

export async function startFaultGraph(): Promise<FaultGraph> {
  const scripts = new Map<string, Fault[]>();
  const arrived: ArrivedRequest[] = [];
  const accepted: AcceptedSend[] = [];
  const stalled = new Set<NodeJS.Timeout>();
  let now = () => Date.now();

  function accept(body: { to: string; template?: { name: string }; biz_opaque_callback_data?: string }): AcceptedSend {
    const send = { wamid: `wamid.${randomBytes(24).toString('base64')}`, to: body.to, template: body.template?.name, callbackData: body.biz_opaque_callback_data, acceptedAt: now() };
    accepted.push(send);
    fake.onAccepted?.(send);
    return send;
  }

  function answerAccepted(res: ServerResponse, send: AcceptedSend): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: send.to, wa_id: send.to }], messages: [{ id: send.wamid, message_status: 'accepted' }] }));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const body = JSON.parse(raw) as { to: string; template?: { name: string }; biz_opaque_callback_data?: string };
    const fault = scripts.get(body.to)?.shift() ?? 'none';
    arrived.push({ to: body.to, template: body.template?.name, callbackData: body.biz_opaque_callback_data, fault, at: now() });
    if (fault === 'none') return answerAccepted(res, accept(body));
    if (fault === 'rate-limit') return graphError(res, 429, 130429, 'Rate limit hit');
    if (fault === 'pair-limit') return graphError(res, 400, 131056, '(Business Account, Consumer Account) pair rate limit hit');
    if (fault === 'server-error') return graphError(res, 500, 131000, 'Something went wrong');
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/html' });
      return void res.end('<html><body>Service Unavailable</body></html>');
    }
    if (fault === 'accept-then-cut') {
      accept(body);
      return void req.socket.destroy();
    }
    if (fault === 'accept-then-stall') {
      const send = accept(body);
      const timer = setTimeout(() => {
        stalled.delete(timer);
        if (!res.destroyed) answerAccepted(res, send);
      }, STALL_MS);
      stalled.add(timer);
      return;
    }
    if (fault === 'hold-before-accept' || fault === 'hold-after-accept') {
      if (fault === 'hold-after-accept') accept(body);
      return void fake.onHold?.(arrived.at(-1)!);
    }
    if (typeof fault === 'object') return graphError(res, fault.httpStatus, fault.permanent, 'permanent error (fault graph)');
  }

  const server: Server = createServer((req, res) => {
    if (!/^\/v[\d.]+\/\d+\/messages$/.test(req.url ?? '')) return graphError(res, 400, 2500, `Unknown path components: ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const to = (JSON.parse(raw) as { to: string }).to;
      // Read, but never taken: the cut comes before Meta would have accepted anything.
      if (scripts.get(to)?.[0] === 'cut-before-accept') {
        scripts.get(to)!.shift();
        arrived.push({ to, template: undefined, callbackData: undefined, fault: 'cut-before-accept', at: now() });
        return void req.socket.destroy();
      }
      handle(req, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FaultGraph = {
    url,
    onHold: undefined,
    onAccepted: undefined,
    arrived,
    accepted,
    script(to, faults) {
      scripts.set(to, [...faults]);
    },
    useClock(clock) {
      now = clock;
    },
    acceptedTo: (to) => accepted.filter((send) => send.to === to),
    async close() {
      for (const timer of stalled) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return fake;
}
