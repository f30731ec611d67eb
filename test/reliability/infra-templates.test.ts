/**
 * The synthesized template of the production stage, checked whole for secrets and least privilege
 * (helpers/reliability/templates.ts). test/chaos/infra-templates.test.ts checks dev and staging.
 */
import { countScenario } from '../helpers/reliability/counters.ts';
import {
  type Json,
  type Resource,
  resourcePolicyProblems,
  rolePolicyProblems,
  type SynthesizedTemplate,
  secretProblems,
  templateSecurityTests,
} from '../helpers/reliability/templates.ts';

describe('infra templates', () => {
  templateSecurityTests(['prod'], countScenario);
});

describe('the template checks themselves', () => {
  const doctored = (
    resources: Record<string, Resource>,
    extra: Record<string, Json> = {},
  ): SynthesizedTemplate => ({
    stage: 'test',
    json: { Resources: JSON.parse(JSON.stringify(resources)), ...extra },
    resources,
  });
  const role: Resource = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    },
  };
  const policy = (statement: Json): Resource => ({
    Type: 'AWS::IAM::Policy',
    Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement] } },
  });

  it('flag wildcard actions, Resource "*" beyond X-Ray, and NotAction in role policies', () => {
    countScenario();
    const template = doctored({
      Role: role,
      A: policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b' }),
      B: policy({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }),
      C: policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b' }),
      D: policy({ Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: '*' }),
    });
    expect(rolePolicyProblems(template)).toHaveLength(3);
  });

  it('flag secrets in any property and kms:* outside the account root', () => {
    countScenario();
    const key: Resource = {
      Type: 'AWS::KMS::Key',
      Properties: {
        KeyPolicy: {
          Statement: [
            { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: 'arn:aws:iam::1:role/x' }, Resource: '*' },
          ],
        },
      },
    };
    expect(resourcePolicyProblems(doctored({ Key: key }))).toHaveLength(1);
    expect(
      secretProblems({
        json: {
          Outputs: {
            A: { Value: `key ${'test_'}AbCdEfGhIjKlMnOpQrStUvWx` },
            B: { Value: '{{resolve:secretsmanager:x}}' },
          },
        },
      }),
    ).toHaveLength(2);
  });
});
