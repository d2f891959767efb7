import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoConsentStore } from '#shared/aws/consent-store';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { dynamoContactJourneyIndex, dynamoDeliveryLog, dynamoJourneyStore } from '#shared/aws/journey-store';
import { dynamoMessageFacts, dynamoNpsAnswers } from '#shared/aws/message-facts';
import { readParameter, readSecret } from '#shared/aws/secrets';
import { stopExecution } from '#shared/aws/stepfunctions';
import { dynamoTemplateStatusStore } from '#shared/aws/template-status-store';
import { dynamoContactFacts, dynamoWebhookMarks } from '#shared/aws/webhook-store';
import { clockFromEnv, DAY_MS } from '#shared/clock';
import type { ConsentEffectsDeps } from '#shared/consent/effects';
import { ENV, requireEnv } from '#shared/env';
import { createLogger } from '#shared/log';
import { DEFAULT_GRAPH_API_BASE_URL, sendText } from '#shared/whatsapp/graph-client';
import { SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { answerVerification, correlationIdsOf } from '#shared/whatsapp/webhook-intake';
import { receiveWebhook } from '#shared/whatsapp/webhook-post';

const logger = createLogger('webhook');
const eventBusName = requireEnv(ENV.eventBusName);
const appSecretId = requireEnv(ENV.metaAppSecretSecretId);
const verifyTokenParameter = requireEnv(ENV.metaVerifyTokenParameter);
const journeysTable = requireEnv(ENV.journeysTableName);
const contactsTable = requireEnv(ENV.contactsTableName);
const templatesTable = requireEnv(ENV.templatesTableName);
const unquotedReplyMaxAgeDays = Number(requireEnv(ENV.unquotedReplyMaxAgeDays));
if (!(unquotedReplyMaxAgeDays > 0)) throw new Error(`${ENV.unquotedReplyMaxAgeDays} must be a number of days above 0`);

// Opt-out confirmations. Read leniently: without a phone number id the webhook must still take
// opt-outs in (the ledger is what stops sends); it only cannot answer them.
const graph = {
  baseUrl: process.env[ENV.graphApiBaseUrl] || DEFAULT_GRAPH_API_BASE_URL,
  version: process.env[ENV.graphApiVersion] ?? '',
  phoneNumberId: process.env[ENV.whatsappPhoneNumberId] ?? '',
  accessTokenSecretId: process.env[ENV.metaAccessTokenSecretId] ?? '',
  // Well inside the function's 10 s: a hung call fails the attempt and Meta's retry sends it.
  timeoutMs: 4_000,
};
const canSend = graph.version !== '' && graph.phoneNumberId !== '' && graph.accessTokenSecretId !== '';
if (!canSend) logger.warn('consent confirmations are off: the Graph API version, phone number id or access token secret is not set');

const consent: ConsentEffectsDeps = {
  store: dynamoConsentStore(contactsTable),
  clock: clockFromEnv(),
  journeys: dynamoContactJourneyIndex(journeysTable),
  stopJourney: (executionArn) => stopExecution(executionArn, { error: 'Posventa.OptedOut', cause: 'The customer opted out of WhatsApp messages' }),
  ...(canSend ? { sendText: async (to: string, body: string) => sendText({ ...graph, accessToken: await readSecret(graph.accessTokenSecretId) }, { to, body }) } : {}),
};

const deps: WebhookEffectsDeps = {
  journeys: dynamoJourneyStore(journeysTable),
  marks: dynamoWebhookMarks(journeysTable),
  contacts: dynamoContactFacts(contactsTable),
  facts: dynamoMessageFacts(journeysTable),
  publish: (events) => publishDomainEvents(eventBusName, events),
  consent,
  deliveries: dynamoDeliveryLog(journeysTable),
  templates: dynamoTemplateStatusStore(templatesTable),
  npsAnswers: dynamoNpsAnswers(journeysTable),
  unquotedReplyMaxAgeMs: unquotedReplyMaxAgeDays * DAY_MS,
};

const text = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

async function verify(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const answer = answerVerification(event.queryStringParameters ?? {}, await readParameter(verifyTokenParameter));
  return answer.statusCode === 200 ? text(200, answer.challenge) : text(403, 'Forbidden');
}

async function receive(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  // The signature covers the exact bytes Meta sent; API Gateway may hand them over in base64.
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const receipt = await receiveWebhook(rawBody, event.headers[SIGNATURE_HEADER], await readSecret(appSecretId), deps);
  if (!('contents' in receipt)) {
    logger.warn('webhook rejected', { statusCode: receipt.statusCode, reason: receipt.body });
    return text(receipt.statusCode, receipt.body);
  }
  logger.appendKeys(correlationIdsOf(receipt.contents));
  if ('error' in receipt) {
    logger.error('webhook effects failed; Meta will retry', { error: receipt.error as Error });
  } else {
    const { ignored, ...counts } = receipt.effects;
    if (ignored.length > 0) logger.info('webhook items ignored', { ignored });
    if (counts.consent.recorded > 0) logger.info('consent changes recorded', counts.consent);
    if (receipt.statusCode === 503) logger.info('a duplicate delivery holds some items; asking Meta to retry', counts);
  }
  return text(receipt.statusCode, receipt.body);
}

async function webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  switch (event.requestContext.http.method) {
    case 'GET':
      return verify(event);
    case 'POST':
      return receive(event);
    default:
      return text(405, 'Method Not Allowed');
  }
}

export const handler = middy(webhook).use(injectLambdaContext(logger, { resetKeys: true }));
