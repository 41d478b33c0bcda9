import { z } from 'zod';

/**
 * Environment, parsed once. Lambda functions get these from the CDK stack; `npm start` sets
 * them for its own process.
 */
const envSchema = z.object({
  LATCHKEY_STORE: z.enum(['dynamodb', 'memory']).default('dynamodb'),
  LATCHKEY_TABLE_NAME: z.string().min(1).default('latchkey'),
  /** DynamoDB endpoint override (DynamoDB Local); unset in AWS. */
  LATCHKEY_DYNAMODB_ENDPOINT: z.url().optional(),
  /** EventBridge bus for access_code.* events; unset locally (in-process bus). */
  LATCHKEY_EVENT_BUS_NAME: z.string().min(1).optional(),
  /** How long a verified API key stays cached in a warm function, in seconds. */
  LATCHKEY_API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Largest request body accepted, in bytes. */
  LATCHKEY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65536),
  /** How long before starts_at a just-in-time lock is programmed, in seconds. */
  LATCHKEY_JIT_LEAD_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  /** How far ahead of starts_at a natively scheduling lock is loaded, in hours. */
  LATCHKEY_NATIVE_LEAD_HOURS: z.coerce.number().min(0).max(168).default(72),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
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
