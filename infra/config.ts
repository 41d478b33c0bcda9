import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';
import { codeHistoryDaysSetting, jitLeadSecondsSetting, logLevelSetting, nativeLeadHoursSetting, recurringLeadSecondsSetting, sandboxLatencyMsSetting, wholeNumber } from '../lib/settings';
import { corsOriginSchema } from '../lib/http/cors';
import { stagePattern } from '../lib/hub-contract/stage';

const retentionDays = new Set(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

/**
 * Deployment configuration, read from CDK context (`cdk.json` or `-c key=value`). Every key
 * has a default that is safe for production; anything malformed stops synthesis.
 */
export const latchkeyConfigSchema = z.object({
  /** Names the stacks (`latchkey-<stage>-stateful`, `latchkey-<stage>-stateless`). */
  stage: z.string().regex(stagePattern, 'lowercase letters, digits and dashes, starting with a letter, at most 20, and no "-hub" word').default('dev'),
  /** The AWS account the stage must deploy to; with `region`, pins the stacks (a deploy with other credentials fails instead of creating a second copy). */
  account: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit AWS account id')
    .optional(),
  /** The region the stage must deploy to. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
    .optional(),
  /** `retain` keeps the table (and logs) when the stack is deleted; `destroy` is for throwaway stages. */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  /** How often the scheduled poller runs. */
  pollRateMinutes: wholeNumber(1, 60).default(1),
  // Settings the functions read from their environment: the runtime's own schemas (lib/settings.ts).
  jitLeadSeconds: jitLeadSecondsSetting,
  nativeLeadHours: nativeLeadHoursSetting,
  recurringLeadSeconds: recurringLeadSecondsSetting,
  codeHistoryDays: codeHistoryDaysSetting,
  sandboxLatencyMs: sandboxLatencyMsSetting,
  /** LOG_LEVEL of every function (case-insensitive here, upper case in the environment). */
  logLevel: logLevelSetting,
  /** Retention of every function's and the API's log group; one of CloudWatch's allowed values. */
  logRetentionDays: wholeNumber(1, 3653)
    .refine((days) => retentionDays.has(days), 'not a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60, 90, ...)')
    .default(30),
  /** Steady-state requests per second the HTTP API accepts before answering 429. */
  apiRateLimit: wholeNumber(1, 10_000).default(100),
  /** Burst of requests the HTTP API accepts above the rate. */
  apiBurstLimit: wholeNumber(1, 5000).default(200),
  /** An address the stage's alarms are mailed to (it must confirm the subscription AWS sends). None: the topic has no subscriber. */
  alarmEmail: z.email().optional(),
  /**
   * Origins browsers may call the API from (Seam's React components on your site): a list in
   * cdk.json, or comma-separated with -c. None by default: no CORS.
   */
  corsOrigins: z
    .union([
      z.array(z.string()),
      z.string().transform((s) =>
        s
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      ),
    ])
    .pipe(z.array(corsOriginSchema))
    .default([]),
});
export type LatchkeyConfig = z.infer<typeof latchkeyConfigSchema>;

const configKeys = Object.keys(latchkeyConfigSchema.shape);

/**
 * Context keys that look like ours (plain camelCase) but are not: almost always a typo such as
 * `pollRate`, which would otherwise be ignored silently. CDK's own keys all contain `:` or `-`.
 */
function unknownKeys(context: Record<string, unknown>): string[] {
  return Object.keys(context).filter((key) => /^[a-z][a-zA-Z0-9]*$/.test(key) && !configKeys.includes(key));
}

/** Parses the configuration from a context object; throws one error listing every problem. */
export function parseConfig(context: Record<string, unknown>): LatchkeyConfig {
  const unknown = unknownKeys(context);
  if (unknown.length > 0) {
    throw new Error(`Unknown Latchkey context key(s): ${unknown.join(', ')}. Known keys: ${configKeys.join(', ')}`);
  }
  const raw = Object.fromEntries(configKeys.map((key) => [key, context[key]]));
  const parsed = latchkeyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid Latchkey context:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The configuration of an app, from its node's context. */
export function configFromContext(node: Node): LatchkeyConfig {
  return parseConfig(node.getAllContext());
}

/** What happens to the table, logs and queues when their stack is deleted. */
export function removalPolicyOf(config: LatchkeyConfig): RemovalPolicy {
  return config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
