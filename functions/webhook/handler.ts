import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { dynamoJourneyStore } from '#shared/aws/journey-store';
import { readParameter, readSecret } from '#shared/aws/secrets';
import { dynamoContactFacts, dynamoWebhookMarks } from '#shared/aws/webhook-store';
import { ENV, requireEnv } from '#shared/env';
import { createLogger } from '#shared/log';
import { SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { answerVerification } from '#shared/whatsapp/webhook-intake';
import { receiveWebhook } from '#shared/whatsapp/webhook-post';

const logger = createLogger('webhook');
const eventBusName = requireEnv(ENV.eventBusName);
const appSecretId = requireEnv(ENV.metaAppSecretSecretId);
const verifyTokenParameter = requireEnv(ENV.metaVerifyTokenParameter);
const journeysTable = requireEnv(ENV.journeysTableName);
const deps: WebhookEffectsDeps = {
  journeys: dynamoJourneyStore(journeysTable),
  marks: dynamoWebhookMarks(journeysTable),
  contacts: dynamoContactFacts(requireEnv(ENV.contactsTableName)),
  publish: (events) => publishDomainEvents(eventBusName, events),
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
  // TODO(consent ledger): `receipt.contents.userPreferences`, and opt-out keywords in `receipt.contents.inbound`.
  const { userPreferences } = receipt.contents;
  if (userPreferences.length > 0) logger.info('user preference changes received', { count: userPreferences.length });
  if ('error' in receipt) {
    logger.error('webhook effects failed; Meta will retry', { error: receipt.error as Error });
  } else {
    const { ignored, ...counts } = receipt.effects;
    if (ignored.length > 0) logger.info('webhook items ignored', { ignored });
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

export const handler = middy(webhook).use(injectLambdaContext(logger));
