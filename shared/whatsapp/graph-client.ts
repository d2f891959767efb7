import { handlingOfMetaError } from './error-codes';

export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com';

export interface GraphApiConfig {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  accessToken: string;
  /** Abort a call that hangs; the journey retries it. */
  timeoutMs?: number;
}

export interface TemplateMessage {
  /** E.164 phone number; Meta wants the digits only. */
  to: string;
  templateName: string;
  languageCode: string;
  bodyParameters: readonly string[];
  callbackData?: string;
}

export type SendResult =
  | { ok: true; wamid: string }
  | {
      ok: false;
      retryable: boolean;
      /**
       * The request may have reached Meta and no answer came back (timeout, connection cut
       * after sending): Meta may have accepted it. Never retryable: sends carry no idempotency
       * key, so a retry could message the customer twice.
       */
      unconfirmed?: true;
      code?: number;
      httpStatus?: number;
      message: string;
    };

/**
 * Failures of the connection itself, before any byte of the request left: nothing reached
 * Meta, so a retry cannot double-send. Every other transport failure leaves the send in doubt.
 */
const NOT_SENT_CAUSES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function transportFailure(error: unknown): SendResult {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? (error as Error).name;
  if (code !== undefined && NOT_SENT_CAUSES.has(code)) return { ok: false, retryable: true, message: `Graph API unreachable (${detail}): ${(error as Error).message}` };
  return { ok: false, retryable: false, unconfirmed: true, message: `no answer from the Graph API (${detail}); Meta may have accepted the message` };
}

export function templateRequestBody(message: TemplateMessage): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to.replace(/^\+/, ''),
    type: 'template',
    template: {
      name: message.templateName,
      language: { code: message.languageCode },
      components: [{ type: 'body', parameters: message.bodyParameters.map((text) => ({ type: 'text', text })) }],
    },
    ...(message.callbackData === undefined ? {} : { biz_opaque_callback_data: message.callbackData }),
  };
}

interface GraphErrorBody {
  error?: { code?: number; message?: string };
}

/**
 * A free-form text message. Meta accepts it only inside the customer service window (24 h
 * after the customer's last message); outside it answers 131047.
 */
export interface TextMessage {
  /** E.164 phone number; Meta wants the digits only. */
  to: string;
  body: string;
}

export function textRequestBody(message: TextMessage): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to.replace(/^\+/, ''),
    type: 'text',
    text: { body: message.body, preview_url: false },
  };
}

/** Sends one template message. Never throws for Meta's answers: the caller decides from the result. */
export function sendTemplate(config: GraphApiConfig, message: TemplateMessage): Promise<SendResult> {
  return postMessage(config, templateRequestBody(message));
}

/** Sends one free-form text message (inside the service window). Never throws for Meta's answers. */
export function sendText(config: GraphApiConfig, message: TextMessage): Promise<SendResult> {
  return postMessage(config, textRequestBody(message));
}

async function postMessage(config: GraphApiConfig, requestBody: Record<string, unknown>): Promise<SendResult> {
  const url = `${config.baseUrl.replace(/\/$/, '')}/${config.version}/${config.phoneNumberId}/messages`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(requestBody),
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
  } catch (error) {
    return transportFailure(error);
  }
  let body: GraphErrorBody & { messages?: Array<{ id?: string }> };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    // Meta answered 2xx but the answer was cut or unreadable: accepted, with no wamid to show for it.
    if (response.ok) return transportFailure(error);
    body = {};
  }
  const wamid = body.messages?.[0]?.id;
  if (response.ok && wamid !== undefined) return { ok: true, wamid };
  const code = body.error?.code;
  return {
    ok: false,
    retryable: handlingOfMetaError(code, response.status) === 'retry',
    ...(code === undefined ? {} : { code }),
    httpStatus: response.status,
    message: body.error?.message ?? `Graph API answered HTTP ${response.status}`,
  };
}
