import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ENV } from '#shared/env';

/** What a function needs to send through Meta's Graph API: which version, from which number, as whom. */
export interface GraphApiAccess {
  /** Meta Graph API version, e.g. "v23.0". */
  readonly version: string;
  /**
   * WhatsApp Business phone number id to send from.
   *
   * @default - not set: synthesis warns, and every send fails until it is configured
   */
  readonly phoneNumberId?: string;
  /** The WhatsApp access token, read at run time through the secrets extension. */
  readonly accessToken: ISecret;
}

/** The environment a sending function gets: no secret values, only where to find the token. */
export function graphApiEnvironment(access: GraphApiAccess): Record<string, string> {
  return {
    [ENV.graphApiVersion]: access.version,
    ...(access.phoneNumberId === undefined ? {} : { [ENV.whatsappPhoneNumberId]: access.phoneNumberId }),
    [ENV.metaAccessTokenSecretId]: access.accessToken.secretArn,
  };
}

/** Lets a function read the token; the only permission sending needs beyond the network. */
export function grantGraphApi(access: GraphApiAccess, grantee: IGrantable): void {
  access.accessToken.grantRead(grantee);
}
