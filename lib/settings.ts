import * as z from 'zod';

/*
 * Settings that both the CDK context (infra/config.ts) and the functions' environment
 * (lib/config.ts) carry: one schema each, so that every value a deployment accepts is one
 * its functions accept at cold start. A value comes as a number (cdk.json) or as a string
 * (`-c key=value`, environment variables).
 */

const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'expected a number')
    .transform(Number),
]);

/** A whole number from `min` to `max`, given as a number or a string. */
export const wholeNumber = (min: number, max: number) => numeric.pipe(z.number().int().min(min).max(max));
const number = (min: number, max: number) => numeric.pipe(z.number().min(min).max(max));

/** How long before starts_at a just-in-time lock is programmed, in seconds. */
export const jitLeadSecondsSetting = wholeNumber(0, 86_400).default(3600);

/** How long before each window of a recurring schedule a lock that does not keep the schedule is programmed, in seconds. */
export const recurringLeadSecondsSetting = wholeNumber(0, 3600).default(120);

/** How far ahead of starts_at a natively scheduling lock is loaded, in hours (a week at most). */
export const nativeLeadHoursSetting = number(0, 168).default(72);

/** How long a deleted or expired code's timeline stays readable (/access_codes/get_timeline), in days. */
export const codeHistoryDaysSetting = wholeNumber(1, 3650).default(30);

/** The code history's default, for stores built without configuration (tests). */
export const defaultCodeHistoryDays: number = codeHistoryDaysSetting.parse(undefined);

/** How long a sandbox lock takes to apply a change, in milliseconds. */
export const sandboxLatencyMsSetting = wholeNumber(0, 600_000).default(2000);

/** How much the functions log; case-insensitive, upper case once parsed. */
export const logLevelSetting = z.preprocess((level) => (typeof level === 'string' ? level.toUpperCase() : level), z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'])).default('INFO');
