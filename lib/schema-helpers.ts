import * as z from 'zod';

/** Seam ids are UUIDs; accept any 8-4-4-4-12 hex id (nil and max ids included). */
export const idSchema = z.guid({ error: 'Must be a UUID' });

/**
 * An ISO 8601 date-time with a time part and an optional offset (`Z`, `+00:00` or `+0000`),
 * normalised to UTC `toISOString()` form.
 */
export const isoDateTimeSchema = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
    error: 'Must be an ISO 8601 date-time, e.g. 2025-01-01T16:00:00Z',
  })
  .transform((s) => new Date(s).toISOString());

export const timestampSchema = z.iso.datetime();
