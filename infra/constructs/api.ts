/**
 * The REST API, built from the route table in lib/api/routes.ts (the same table the read API's router,
 * the OpenAPI document and the local gateway use).
 *
 * Auth is API keys with a usage plan, not IAM or Cognito: merchants call server to server from their
 * own backends, one key per merchant backend, with per-key throttling and quota in the usage plan.
 * IAM would force SigV4 signing (and AWS credentials) on every merchant; a Cognito pool would add a
 * token exchange for machine callers that have no users. Webhook routes carry no key (providers cannot
 * send one): the provider-webhook function verifies each request with the provider's scheme before
 * doing anything, and treats the body as a hint only (the worker re-fetches the customer).
 *
 * Validation at the edge is deliberately shallow (required path and query parameters, JSON bodies
 * must be objects): field-level problems are reported by the functions, one per field, the same
 * locally and in AWS. Gateway-generated errors are reshaped to application/problem+json.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  EndpointType,
  type IResource,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  Period,
  ResponseType,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as z from 'zod/mini';
import { API_ROUTES, type ApiFunctionName, type ApiRoute } from '../../lib/api/routes.ts';
import { HistoryQuerySchema, ListCustomersQuerySchema } from '../../lib/api/schemas.ts';
import type { StageConfig } from '../stages.ts';
import { acknowledge } from './nag.ts';
import type { ServiceFunction } from './service-function.ts';

/** Query parameters each GET route accepts, from the schemas its handler validates with. */
const QUERY_SCHEMAS: Record<string, z.ZodMiniObject> = {
  'GET /customers': ListCustomersQuerySchema,
  'GET /customers/{id}/history': HistoryQuerySchema,
};

const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** `method.request.querystring.<name>` → required, for API Gateway's parameter validation. */
export function requestParameters(route: ApiRoute): Record<string, boolean> {
  const parameters: Record<string, boolean> = {};
  for (const match of route.path.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)) {
    parameters[`method.request.path.${match[1]}`] = true;
  }
  const schema = QUERY_SCHEMAS[routeKey(route)];
  if (schema) {
    for (const [name, field] of Object.entries(schema.shape)) {
      parameters[`method.request.querystring.${name}`] = !z.safeParse(field, undefined).success;
    }
  }
  return parameters;
}

const PROBLEM_BASE = 'https://customer-sync.dev/problems';

/** Same shape as lib/api/problem.ts `problemBody`; 5xx bodies say nothing about internals. */
function problemTemplate(status: number | null, title: string, withDetail: boolean): string {
  const type = status !== null && status < 500 ? `${PROBLEM_BASE}/${status}` : 'about:blank';
  const parts = [`"type":"${type}"`, `"title":"${title}"`];
  if (status !== null) parts.push(`"status":${status}`);
  if (withDetail) parts.push('"detail":$context.error.messageString');
  return `{${parts.join(',')}}`;
}

export class Api extends Construct {
  readonly api: RestApi;
  readonly usagePlan: UsagePlan;
  readonly accessLogs: LogGroup;

  constructor(
    scope: Construct,
    id: string,
    props: { stage: StageConfig; functions: Record<ApiFunctionName, ServiceFunction> },
  ) {
    super(scope, id);
    const { stage } = props;
    const removalPolicy = stage.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: stage.logRetentionDays, removalPolicy });
    this.api = new RestApi(this, 'Api', {
      restApiName: `customer-sync-${stage.name}`,
      description: `customer-sync ${stage.name}: merchant read/create API and provider webhooks`,
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      // Execution logging needs the account-level CloudWatch role; kept when the stack goes, since the
      // setting is per account and region and other APIs may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: stage.name,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request/response bodies hold customer data: never in execution logs.
        dataTraceEnabled: false,
        throttlingRateLimit: stage.api.throttle.rateLimit,
        throttlingBurstLimit: stage.api.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        // No query string: `?email=` lookups would put customer emails in the logs.
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            requestTime: AccessLogField.contextRequestTime(),
            ip: AccessLogField.contextIdentitySourceIp(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            path: AccessLogField.contextPath(),
            status: AccessLogField.contextStatus(),
            protocol: AccessLogField.contextProtocol(),
            responseLength: AccessLogField.contextResponseLength(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            integrationStatus: AccessLogField.contextIntegrationStatus(),
            apiKeyId: AccessLogField.contextIdentityApiKeyId(),
            errorType: AccessLogField.contextErrorResponseType(),
            errorMessage: AccessLogField.contextErrorMessage(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            xrayTraceId: AccessLogField.contextXrayTraceId(),
          }),
        ),
      },
    });
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway assumes to write execution logs; AWS documents this managed policy for it and only apigateway.amazonaws.com can assume the role.',
    );
    if (!stage.api.waf) {
      acknowledge(
        this.api.deploymentStage,
        'AwsSolutions-APIG3',
        `No WAF in ${stage.name}: it serves sandbox data only; staging and prod attach a web ACL (stage config api.waf).`,
      );
    }

    this.addGatewayResponses();
    const paramsValidator = this.api.addRequestValidator('ParamsValidator', {
      requestValidatorName: 'params',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    const bodyValidator = this.api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'params-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const jsonObject: Model = this.api.addModel('JsonObject', {
      contentType: 'application/json',
      modelName: 'JsonObject',
      schema: { schema: JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: JsonSchemaType.OBJECT },
    });

    const integrations = new Map<ApiFunctionName, LambdaIntegration>();
    const integrationFor = (name: ApiFunctionName): LambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new LambdaIntegration(props.functions[name].fn, {
          proxy: true,
          allowTestInvoke: false,
          timeout: Duration.seconds(29),
        });
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of API_ROUTES) {
      const hasBody = route.method === 'POST' && route.auth === 'api-key';
      const method = this.resourceFor(route.path).addMethod(route.method, integrationFor(route.function), {
        operationName: route.operationId,
        apiKeyRequired: route.auth === 'api-key',
        requestParameters: requestParameters(route),
        requestValidator: hasBody ? bodyValidator : paramsValidator,
        ...(hasBody ? { requestModels: { 'application/json': jsonObject } } : {}),
      });
      const reason =
        route.auth === 'api-key'
          ? 'Authenticated with an API key and usage plan (apiKeyRequired): merchants call server to server from their backends; IAM would force SigV4 on them and Cognito a token exchange for callers without users.'
          : 'Provider webhook: providers cannot send an API key or token, so the provider-webhook function verifies each request with the provider scheme (HMAC signature, Basic auth, token) and treats the body only as a hint to re-fetch.';
      acknowledge(method, 'AwsSolutions-APIG4', reason);
      acknowledge(method, 'AwsSolutions-COG4', reason);
    }

    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `customer-sync-${stage.name}`,
      description: 'Per merchant-backend key: throttle and quota',
      throttle: { rateLimit: stage.api.perKey.rateLimit, burstLimit: stage.api.perKey.burstLimit },
      quota: { limit: stage.api.perKey.quota.limit, period: Period[stage.api.perKey.quota.period] },
    });
    this.usagePlan.addApiStage({ stage: this.api.deploymentStage });
    for (const keyName of stage.api.keys) {
      const key = this.api.addApiKey(`Key-${keyName}`, {
        apiKeyName: `customer-sync-${stage.name}-${keyName}`,
        description: `customer-sync ${stage.name}: key of ${keyName}`,
      });
      this.usagePlan.addApiKey(key);
    }

    if (stage.api.waf) this.addWebAcl(stage);
  }

  private resourceFor(path: string): IResource {
    let resource: IResource = this.api.root;
    for (const segment of path.split('/').filter(Boolean)) {
      resource = resource.getResource(segment) ?? resource.addResource(segment);
    }
    return resource;
  }

  private addGatewayResponses(): void {
    const responses: { type: ResponseType; status: number | null; title: string; detail: boolean }[] = [
      { type: ResponseType.BAD_REQUEST_BODY, status: 400, title: 'Bad Request', detail: true },
      { type: ResponseType.BAD_REQUEST_PARAMETERS, status: 400, title: 'Bad Request', detail: true },
      { type: ResponseType.INVALID_API_KEY, status: 403, title: 'Forbidden', detail: false },
      // Without IAM auth this only means "no such route": say so instead of API Gateway's 403.
      { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, title: 'Not Found', detail: false },
      { type: ResponseType.REQUEST_TOO_LARGE, status: 413, title: 'Payload Too Large', detail: false },
      { type: ResponseType.THROTTLED, status: 429, title: 'Too Many Requests', detail: false },
      { type: ResponseType.QUOTA_EXCEEDED, status: 429, title: 'Too Many Requests', detail: false },
      { type: ResponseType.DEFAULT_4XX, status: null, title: 'Client Error', detail: true },
      { type: ResponseType.DEFAULT_5XX, status: null, title: 'Server Error', detail: false },
    ];
    for (const response of responses) {
      this.api.addGatewayResponse(`Problem${response.type.responseType}`, {
        type: response.type,
        ...(response.status !== null ? { statusCode: String(response.status) } : {}),
        responseHeaders: { 'Content-Type': "'application/problem+json'" },
        templates: { 'application/json': problemTemplate(response.status, response.title, response.detail) },
      });
    }
  }

  private addWebAcl(stage: StageConfig): void {
    const managed = (name: string, priority: number): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: name,
      },
    });
    const acl = new CfnWebACL(this, 'WebAcl', {
      name: `customer-sync-${stage.name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      // Only rule groups without body inspection: webhook and create bodies vary too much for the
      // common rule set's size and content rules.
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
      ],
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: `customer-sync-${stage.name}`,
      },
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
  }
}
