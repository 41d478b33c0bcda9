import * as z from 'zod';
import { idSchema, timestampSchema } from '../schema-helpers';
import { accessCodeIssueSchema, accessCodeWarningSchema } from './schemas';

/** Seam's `unmanaged_access_code`: a code on a lock that Latchkey did not set. */
export const unmanagedAccessCodeSchema = z.object({
  workspace_id: idSchema,
  access_code_id: idSchema,
  device_id: idSchema,
  name: z.string().nullable(),
  code: z.string().nullable(),
  type: z.enum(['ongoing', 'time_bound']),
  status: z.enum(['set', 'unset']),
  created_at: timestampSchema,
  starts_at: timestampSchema.optional(),
  ends_at: timestampSchema.optional(),
  errors: z.array(accessCodeIssueSchema),
  warnings: z.array(accessCodeWarningSchema),
  is_managed: z.literal(false),
});
export type UnmanagedAccessCode = z.infer<typeof unmanagedAccessCodeSchema>;

/** What is stored for an unmanaged code: the object, and where the provider keeps it on the lock. */
export const unmanagedCodeRecordSchema = z.object({
  access_code: unmanagedAccessCodeSchema,
  provider_ref: z.string().min(1).max(512),
});
export type UnmanagedCodeRecord = z.infer<typeof unmanagedCodeRecordSchema>;

export const listUnmanagedInputSchema = z.object({
  device_id: idSchema,
  search: z.string().min(1).max(255).optional(),
  limit: z.number().int().min(1).max(1000).default(1000),
  page_cursor: z.string().max(2048).optional(),
  /** Seam filters by its users; Latchkey has none, so it filters nothing. */
  user_identifier_key: z.string().max(255).optional(),
});
export type ListUnmanagedInput = z.infer<typeof listUnmanagedInputSchema>;

export const getUnmanagedInputSchema = z
  .object({
    access_code_id: idSchema.optional(),
    device_id: idSchema.optional(),
    code: z.string().max(12, { error: 'Must be at most 12 characters' }).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.access_code_id === undefined && (input.device_id === undefined || input.code === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Must specify either access_code_id or both device_id and code' });
    }
  });
export type GetUnmanagedInput = z.infer<typeof getUnmanagedInputSchema>;

export const convertToManagedInputSchema = z.object({
  access_code_id: idSchema,
  allow_external_modification: z.boolean().optional(),
  is_external_modification_allowed: z.boolean().optional(),
  force: z.boolean().optional(),
  sync: z.boolean().optional(),
});
export type ConvertToManagedInput = z.infer<typeof convertToManagedInputSchema>;

export const updateUnmanagedInputSchema = convertToManagedInputSchema.extend({
  is_managed: z.boolean(),
  sync: z.boolean().optional().meta({ description: "Latchkey's addition: wait for the conversion, as convert_to_managed does." }),
});
export type UpdateUnmanagedInput = z.infer<typeof updateUnmanagedInputSchema>;

export const deleteUnmanagedInputSchema = z.object({ access_code_id: idSchema, sync: z.boolean().optional() });
export type DeleteUnmanagedInput = z.infer<typeof deleteUnmanagedInputSchema>;

export const simulateUnmanagedInputSchema = z.object({
  device_id: idSchema,
  name: z.string().min(1).max(255),
  code: z.string().regex(/^\d+$/, { error: 'Must contain only digits' }).min(4, { error: 'Must be at least 4 digits' }).max(8, { error: 'Must be at most 8 digits' }),
});
export type SimulateUnmanagedInput = z.infer<typeof simulateUnmanagedInputSchema>;

export const simulateExternalChangeInputSchema = z
  .object({
    access_code_id: idSchema,
    change_type: z.enum(['modified', 'removed']),
    code: z.string().regex(/^\d+$/, { error: 'Must contain only digits' }).min(4, { error: 'Must be at least 4 digits' }).max(12, { error: 'Must be at most 12 digits' }).optional(),
    /** The lock does not announce the change (as many do not): only a sweep of the lock finds it. */
    silent: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    if (input.change_type === 'modified' && input.code === undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'Required to modify a code' });
    if (input.change_type === 'removed' && input.code !== undefined) ctx.addIssue({ code: 'custom', path: ['code'], message: 'A removed code has no PIN' });
  });
export type SimulateExternalChangeInput = z.input<typeof simulateExternalChangeInputSchema>;
