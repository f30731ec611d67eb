/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: any unacknowledged finding fails `cdk synth`.
 * Findings are acknowledged on the narrowest construct that causes them, each with its reason.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** `id` is a rule (`AwsSolutions-SQS3`) or one finding of it (`AwsSolutions-IAM5[Resource::*]`). */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
