/**
 * The CDK app: `npx cdk synth -c stage=dev`, `npx cdk deploy -c stage=prod [-c account=… -c region=…
 * -c alarmEmail=…]`. Run by Node 24 directly (type stripping), see cdk.json.
 */
import { processEnv } from '../lib/config/env.ts';
import { buildApp } from './build-app.ts';

buildApp({ env: processEnv() });
