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
  | { ok: false; retryable: boolean; code?: number; httpStatus?: number; message: string };

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
    return { ok: false, retryable: true, message: `Graph API unreachable: ${(error as Error).message}` };
  }
  const body = (await response.json().catch(() => ({}))) as GraphErrorBody & { messages?: Array<{ id?: string }> };
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
