/**
 * Names of the environment variables the CDK app sets on functions and the handlers read.
 * One list, so infra/, functions/ and local/ cannot drift apart.
 */
export const ENV = {
  eventBusName: 'EVENT_BUS_NAME',
  journeyStateMachineArn: 'JOURNEY_STATE_MACHINE_ARN',
  contactsTableName: 'CONTACTS_TABLE_NAME',
  journeysTableName: 'JOURNEYS_TABLE_NAME',
  kpiTableName: 'KPI_TABLE_NAME',
  /** Meta's status and quality of each template per language (written by the webhook, read by the send step). */
  templatesTableName: 'TEMPLATES_TABLE_NAME',
  graphApiBaseUrl: 'GRAPH_API_BASE_URL',
  graphApiVersion: 'GRAPH_API_VERSION',
  /** Optional: how long a Graph API call may take before its send counts as unconfirmed (default 10 s). */
  graphApiTimeoutMs: 'GRAPH_API_TIMEOUT_MS',
  whatsappPhoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
  metaAccessTokenSecretId: 'META_ACCESS_TOKEN_SECRET_ID',
  metaAppSecretSecretId: 'META_APP_SECRET_SECRET_ID',
  metaVerifyTokenParameter: 'META_VERIFY_TOKEN_PARAMETER',
  reportingTimeZone: 'REPORTING_TIME_ZONE',
  /** Days after a journey message that a reply quoting nothing still answers it (`posventa.unquotedReplyMaxAgeDays`). */
  unquotedReplyMaxAgeDays: 'UNQUOTED_REPLY_MAX_AGE_DAYS',
  /** The journey settings (shared/journey/config.ts) as one JSON object. */
  journeyConfig: 'JOURNEY_CONFIG',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Reads a variable the deployment must set; a missing one is a wiring bug, so say which. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set: the stack (or the local stack) must set it`);
  return value;
}
