import { Match } from 'aws-cdk-lib/assertions';
import { latchkeyConfigSchema, parseConfig } from '../../infra/config';
import { envSchema, loadConfig } from '../../lib/config';
import { latchkeyApp, synthLatchkey } from './latchkey-app';

describe('parseConfig', () => {
  test('defaults are production-safe', () => {
    expect(parseConfig({})).toEqual({
      stage: 'dev',
      removalPolicy: 'retain',
      pollRateMinutes: 1,
      jitLeadSeconds: 3600,
      nativeLeadHours: 72,
      recurringLeadSeconds: 120,
      codeHistoryDays: 30,
      sandboxLatencyMs: 2000,
      logLevel: 'INFO',
      logRetentionDays: 30,
      apiRateLimit: 100,
      apiBurstLimit: 200,
      corsOrigins: [],
    });
  });

  test('takes CORS origins as a cdk.json list or a comma-separated -c value', () => {
    expect(parseConfig({ corsOrigins: ['https://app.example.com'] }).corsOrigins).toEqual(['https://app.example.com']);
    expect(parseConfig({ corsOrigins: 'https://a.example.com, http://localhost:5173' }).corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  test('accepts numbers as cdk.json gives them and as strings as `-c key=value` gives them', () => {
    expect(parseConfig({ pollRateMinutes: 5, jitLeadSeconds: '600', logLevel: 'debug' })).toMatchObject({
      pollRateMinutes: 5,
      jitLeadSeconds: 600,
      logLevel: 'DEBUG',
    });
  });

  test('ignores CDK feature flags and internal keys', () => {
    expect(() => parseConfig({ '@aws-cdk/aws-iam:minimizePolicies': true, 'aws:cdk:bundling-stacks': [] })).not.toThrow();
  });

  test.each([
    [{ stage: 'Prod' }, 'stage'],
    [{ stage: '' }, 'stage'],
    [{ removalPolicy: 'snapshot' }, 'removalPolicy'],
    [{ pollRateMinutes: '0' }, 'pollRateMinutes'],
    [{ pollRateMinutes: '1.5' }, 'pollRateMinutes'],
    [{ pollRateMinutes: 'fast' }, 'pollRateMinutes'],
    [{ jitLeadSeconds: -1 }, 'jitLeadSeconds'],
    [{ logLevel: 'verbose' }, 'logLevel'],
    [{ logRetentionDays: '10' }, 'logRetentionDays'],
    [{ sandboxLatencyMs: true }, 'sandboxLatencyMs'],
    // Beyond what the functions accept at cold start (a week).
    [{ nativeLeadHours: 200 }, 'nativeLeadHours'],
    [{ nativeLeadHours: '720' }, 'nativeLeadHours'],
    [{ corsOrigins: '*' }, 'corsOrigins'],
    [{ corsOrigins: 'https://app.example.com/path' }, 'corsOrigins'],
    [{ corsOrigins: 'localhost' }, 'corsOrigins'],
  ])('rejects %j, naming %s', (context, key) => {
    expect(() => parseConfig(context)).toThrow(new RegExp(`Invalid Latchkey context:[\\s\\S]*${key}`));
  });

  test('shares each setting the functions read with the runtime configuration', () => {
    expect(latchkeyConfigSchema.shape.jitLeadSeconds).toBe(envSchema.shape.LATCHKEY_JIT_LEAD_SECONDS);
    expect(latchkeyConfigSchema.shape.nativeLeadHours).toBe(envSchema.shape.LATCHKEY_NATIVE_LEAD_HOURS);
    expect(latchkeyConfigSchema.shape.recurringLeadSeconds).toBe(envSchema.shape.LATCHKEY_RECURRING_LEAD_SECONDS);
    expect(latchkeyConfigSchema.shape.codeHistoryDays).toBe(envSchema.shape.LATCHKEY_CODE_HISTORY_DAYS);
    expect(latchkeyConfigSchema.shape.sandboxLatencyMs).toBe(envSchema.shape.LATCHKEY_SANDBOX_LATENCY_MS);
    expect(latchkeyConfigSchema.shape.logLevel).toBe(envSchema.shape.LOG_LEVEL);
  });

  test('reports every problem at once', () => {
    expect(() => parseConfig({ stage: 'A', pollRateMinutes: 0 })).toThrow(/stage[\s\S]*pollRateMinutes/);
  });

  test('pins account and region only when given, and checks them', () => {
    expect(parseConfig({ account: '123456789012', region: 'eu-west-1' })).toMatchObject({ account: '123456789012', region: 'eu-west-1' });
    expect(() => parseConfig({ account: '1234', region: 'Europe' })).toThrow(/account[\s\S]*region/);
    expect(() => parseConfig({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
    expect(() => parseConfig({ stage: 'dev-hub' })).toThrow(/stage/);
    const pinned = latchkeyApp({ account: '123456789012', region: 'eu-west-1' }).latchkey;
    expect([pinned.stateful.account, pinned.stateless.region]).toEqual(['123456789012', 'eu-west-1']);
  });

  test('rejects a misspelt key instead of ignoring it', () => {
    expect(() => parseConfig({ pollRate: '5' })).toThrow(/Unknown Latchkey context key\(s\): pollRate/);
  });
});

describe('a throwaway stage configured from the command line', () => {
  const { latchkey, stateful, stateless } = synthLatchkey({
    stage: 'pr42',
    removalPolicy: 'destroy',
    pollRateMinutes: '5',
    jitLeadSeconds: '600',
    nativeLeadHours: '24',
    sandboxLatencyMs: '0',
    logLevel: 'warn',
    logRetentionDays: '90',
    apiRateLimit: '20',
    apiBurstLimit: '40',
    corsOrigins: 'https://app.example.com,http://localhost:5173',
  });

  test('names its stacks after the stage', () => {
    expect(latchkey.stateful.stackName).toBe('latchkey-pr42-stateful');
    expect(latchkey.stateless.stackName).toBe('latchkey-pr42-stateless');
  });

  test('deletes its table, logs and queues with the stacks', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    stateless.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    stateless.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
  });

  test('polls at the configured rate', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('passes the log level and lifecycle timing to the functions', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Latchkey pr42: process-access-code',
      Environment: {
        Variables: {
          LOG_LEVEL: 'WARN',
          LATCHKEY_JIT_LEAD_SECONDS: '600',
          LATCHKEY_NATIVE_LEAD_HOURS: '24',
          LATCHKEY_SANDBOX_LATENCY_MS: '0',
        },
      },
    });
  });

  test('gives every function an environment its runtime configuration accepts', () => {
    const functions = Object.values(stateless.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      const variables: Record<string, unknown> = fn.Properties?.Environment?.Variables ?? {};
      // Table and bus names and the IoT endpoint are references resolved at deploy time.
      const resolved = (name: string) => (name.endsWith('_ENDPOINT') ? 'https://resolved-at-deploy.example' : 'resolved-at-deploy');
      const env = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : resolved(name)]));
      expect(() => loadConfig(env)).not.toThrow();
    }
  });

  test('keeps logs as long as configured and throttles the API as configured', () => {
    stateless.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  test("lets browsers on the configured origins call the API with the headers Seam's client sends", () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com', 'http://localhost:5173'],
        AllowCredentials: true,
        AllowHeaders: Match.arrayWith(['authorization', 'client-session-token', 'seam-workspace', 'seam-publishable-key']),
        ExposeHeaders: ['seam-request-id'],
      },
    });
  });
});
