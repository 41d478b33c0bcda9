import * as z from 'zod';
import { codeHistoryDaysSetting, jitLeadSecondsSetting, logLevelSetting, nativeLeadHoursSetting, recurringLeadSecondsSetting, sandboxLatencyMsSetting } from './settings';
import { stagePattern } from './hub-contract/stage';

/**
 * Environment, parsed once. Lambda functions get these from the CDK stack; `npm start` parses
 * its own and passes the object on. Settings the CDK context also carries share its schema (settings.ts).
 */
export const envSchema = z.object({
  LATCHKEY_STORE: z.enum(['dynamodb', 'memory']).default('dynamodb'),
  /** The deployment stage (set by the stack): hub thing names and metrics carry it. */
  LATCHKEY_STAGE: z.string().regex(stagePattern, 'a stage name: lowercase letters, digits and dashes, no "-hub" word').default('local'),
  LATCHKEY_TABLE_NAME: z.string().min(1).default('latchkey'),
  /** DynamoDB endpoint override (DynamoDB Local); unset in AWS. */
  LATCHKEY_DYNAMODB_ENDPOINT: z.url().optional(),
  /** How long after asking a Seam upstream for a change Latchkey checks it (webhooks, when set up, come sooner). */
  LATCHKEY_SEAM_POLL_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
  /** Secrets Manager name prefix for provider credentials (set by the stack); unset, they stay in the table. */
  LATCHKEY_SECRETS_PREFIX: z.string().min(1).max(256).optional(),
  /** Where Z-Wave hubs' lock shadows are: `aws-iot` (set by the stack for functions that call providers); unset, Z-Wave locks answer provider_unavailable. */
  LATCHKEY_ZWAVE_HUBS: z.enum(['aws-iot']).optional(),
  /** The IoT data endpoint, when not the region's default (`data-ats.iot.<region>.amazonaws.com`). */
  LATCHKEY_IOT_DATA_ENDPOINT: z.url().optional(),
  /** EventBridge bus for access_code.* events (the outbox relay's); local mode has an in-process bus. */
  LATCHKEY_EVENT_BUS_NAME: z.string().min(1).optional(),
  /** SQS queue whose delayed messages run a code's next engine step when it falls due (set by the stack). */
  LATCHKEY_FOLLOW_UP_QUEUE_URL: z.string().min(1).optional(),
  /** The SQS queue of webhook deliveries and its dead-letter queue (set by the stack); local mode has an in-process queue. */
  LATCHKEY_WEBHOOK_QUEUE_URL: z.string().min(1).optional(),
  LATCHKEY_WEBHOOK_DEAD_LETTER_QUEUE_URL: z.string().min(1).optional(),
  /** How long a verified API key stays cached in a warm function, in seconds. */
  LATCHKEY_API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Largest request body accepted, in bytes. */
  LATCHKEY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65536),
  LATCHKEY_JIT_LEAD_SECONDS: jitLeadSecondsSetting,
  LATCHKEY_NATIVE_LEAD_HOURS: nativeLeadHoursSetting,
  LATCHKEY_RECURRING_LEAD_SECONDS: recurringLeadSecondsSetting,
  LATCHKEY_CODE_HISTORY_DAYS: codeHistoryDaysSetting,
  LATCHKEY_SANDBOX_LATENCY_MS: sandboxLatencyMsSetting,
  /** Share of operations the sandbox "Flaky Door" lock fails, 0..1. */
  LATCHKEY_SANDBOX_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.3),
  /** A code still not on (or off) its lock after this many seconds gets a delay warning. */
  LATCHKEY_DELAY_WARNING_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Every lock whose keypad can be read is read whole at least this often, in minutes (fractions allowed). */
  LATCHKEY_LOCK_SWEEP_MINUTES: z.coerce.number().min(0.01).max(1440).default(60),
  /** Failed attempts before setting a code is given up. */
  LATCHKEY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** First retry delay, doubled per attempt up to the cap, in seconds. */
  LATCHKEY_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).max(3600).default(5),
  /** The longest retry delay, in seconds. */
  LATCHKEY_RETRY_CAP_SECONDS: z.coerce.number().min(1).max(86_400).default(300),
  /** The function's entry in the routes or trigger table (set by the stack): what it needs is checked at cold start. */
  LATCHKEY_FUNCTION: z.string().min(1).optional(),
  /** Set by Lambda: the process is a Lambda function, where every capability it needs must be configured. */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  LOG_LEVEL: logLevelSetting,
});
export type Config = z.infer<typeof envSchema>;

let cached: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The process's configuration, parsed on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
