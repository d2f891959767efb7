import { Aws, Fn, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { pinLogicalId } from './logical-id';

export interface MetaCredentialsProps {
  /**
   * Name of the SSM parameter holding the webhook verify token.
   *
   * @default '/posventa/meta/verify-token'
   */
  readonly verifyTokenParameterName?: string;
}

/**
 * Where Meta's credentials live. The stack creates them with placeholders (nothing secret is
 * in the template or in environment variables); the deployer puts the real values, and
 * functions read them at runtime through the Parameters and Secrets Lambda Extension.
 */
export class MetaCredentials extends Construct {
  /** Meta app secret: the key of the webhooks' X-Hub-Signature-256 HMAC. */
  public readonly appSecret: Secret;
  /** System-user access token the send step calls the Graph API with. */
  public readonly accessToken: Secret;
  /** Token Meta echoes when it verifies the webhook URL (GET hub.verify_token). */
  public readonly verifyToken: StringParameter;

  constructor(scope: Construct, id: string, props: MetaCredentialsProps = {}) {
    super(scope, id);
    const verifyTokenParameterName = props.verifyTokenParameterName ?? '/posventa/meta/verify-token';
    if (!/^\/[A-Za-z0-9_.\-/]+$/.test(verifyTokenParameterName)) {
      throw new Error(`MetaCredentials: props.verifyTokenParameterName must be an SSM path like "/posventa/meta/verify-token" (got "${verifyTokenParameterName}")`);
    }

    // A random placeholder: until the real value is put, every webhook signature check fails
    // closed and every send is refused by Meta, instead of working with a guessable value.
    this.appSecret = new Secret(this, 'MetaAppSecret', {
      description:
        'Meta app secret (Meta for Developers → your app → App settings → Basic → App secret); verifies webhook signatures. ' +
        'Set it with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string <app secret>',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    pinLogicalId(this.appSecret, 'MetaAppSecret');

    this.accessToken = new Secret(this, 'MetaAccessToken', {
      description:
        'WhatsApp Cloud API access token (a system user token from Meta Business Settings with whatsapp_business_messaging). ' +
        'Set it with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string <token>',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    pinLogicalId(this.accessToken, 'MetaAccessToken');

    for (const secret of [this.appSecret, this.accessToken]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Meta issues this credential; no AWS rotation function can mint a new one. Rotate it in Meta and put the new value.',
      });
    }

    // The verify token only proves to Meta that it reached our endpoint, so a String parameter
    // will do; the placeholder is this stack's unique id, which works until you choose your own.
    this.verifyToken = new StringParameter(this, 'MetaVerifyToken', {
      parameterName: verifyTokenParameterName,
      description:
        'Webhook verify token: type the same value in Meta → WhatsApp → Configuration → Webhook → Verify token. ' +
        `Change it with: aws ssm put-parameter --overwrite --name ${verifyTokenParameterName} --value <token>`,
      stringValue: Fn.select(2, Fn.split('/', Aws.STACK_ID)),
    });
    pinLogicalId(this.verifyToken, 'MetaVerifyTokenParameter');
  }
}
