/**
 * Two Secrets Manager secrets per enabled provider and stage: the API credentials the adapter needs and
 * the webhook verification secret. The template holds no value: each secret is created with its JSON
 * shape and empty fields (plus a generated `_placeholder` field: Secrets Manager generates the first
 * version, so no literal value, not even an empty one, sits in the template), and operators put the
 * real values with `aws secretsmanager put-secret-value` (docs/deploy.md). Empty fields read as "not
 * configured yet". Functions receive only ARNs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ProviderName } from '../../lib/customer/snapshot.ts';
import { enabledProviders, type StageConfig } from '../stages.ts';
import { acknowledge } from './nag.ts';

/** The fields of each provider's API credentials secret (Runtime contracts in the helper brief). */
export const API_SECRET_FIELDS: Record<ProviderName, readonly string[]> = {
  palomma: ['apiKey'],
  delos: ['login', 'password'],
  mollie: ['apiKey'],
  juspay: ['apiKey', 'merchantId'],
};

/** The fields of each provider's webhook verification secret. */
export const WEBHOOK_SECRET_FIELDS: Record<ProviderName, readonly string[]> = {
  palomma: ['integrityKey'],
  delos: ['token'],
  mollie: ['signingSecret'],
  juspay: ['username', 'password'],
};

/** Name of the generated key that marks a secret nobody has filled in yet. */
export const PLACEHOLDER_KEY = '_placeholder';

export const apiSecretName = (stage: string, provider: ProviderName): string =>
  `customer-sync/${stage}/${provider}/api`;
export const webhookSecretName = (stage: string, provider: ProviderName): string =>
  `customer-sync/${stage}/${provider}/webhook`;

export interface ProviderSecretPair {
  api: Secret;
  webhook: Secret;
}

export class ProviderSecrets extends Construct {
  readonly key: Key;
  readonly byProvider: Partial<Record<ProviderName, ProviderSecretPair>> = {};

  constructor(scope: Construct, id: string, props: { stage: StageConfig }) {
    super(scope, id);
    const removalPolicy =
      props.stage.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // A key of their own: the read API may decrypt table data but must not be able to decrypt secrets.
    this.key = new Key(this, 'SecretsKey', {
      description: `customer-sync ${props.stage.name}: encrypts provider credentials and webhook secrets`,
      enableKeyRotation: true,
      removalPolicy,
    });
    for (const provider of enabledProviders(props.stage)) {
      const create = (kind: 'Api' | 'Webhook', name: string, fields: readonly string[]) => {
        const secret = new Secret(this, `${provider}${kind}`, {
          secretName: name,
          description: `customer-sync ${props.stage.name}: ${provider} ${kind === 'Api' ? 'API credentials' : 'webhook verification'} (${fields.join(', ')})`,
          encryptionKey: this.key,
          removalPolicy,
          generateSecretString: {
            secretStringTemplate: JSON.stringify(Object.fromEntries(fields.map((field) => [field, '']))),
            generateStringKey: PLACEHOLDER_KEY,
            excludePunctuation: true,
            passwordLength: 16,
          },
        });
        acknowledge(
          secret,
          'AwsSolutions-SMG4',
          `Holds credentials issued by ${provider} (dashboard or onboarding), which no rotation Lambda can mint; they are rotated by hand with the runbook in docs/deploy.md (put-secret-value, then the old credential is revoked at ${provider}).`,
        );
        return secret;
      };
      this.byProvider[provider] = {
        api: create('Api', apiSecretName(props.stage.name, provider), API_SECRET_FIELDS[provider]),
        webhook: create(
          'Webhook',
          webhookSecretName(props.stage.name, provider),
          WEBHOOK_SECRET_FIELDS[provider],
        ),
      };
    }
  }

  /** The pair of an enabled provider; throws for a provider this stage did not create. */
  of(provider: ProviderName): ProviderSecretPair {
    const pair = this.byProvider[provider];
    if (!pair) throw new Error(`No secrets for ${provider}: it is not enabled in this stage`);
    return pair;
  }
}
