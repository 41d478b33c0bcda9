import * as z from 'zod';
import { providerNameSchema } from '../devices/schemas';
import { idSchema, timestampSchema } from '../schema-helpers';

const accountErrorSchema = z.object({
  error_code: z.enum(['account_disconnected']),
  message: z.string(),
  created_at: timestampSchema,
  is_connected_account_error: z.literal(true),
});
const accountWarningSchema = z.object({
  warning_code: z.enum(['provider_service_unavailable', 'unknown_issue_with_connected_account']),
  message: z.string(),
  created_at: timestampSchema,
});

/** The Seam `connected_account` object, as /connected_accounts/get and list serve it. */
export const connectedAccountSchema = z.object({
  connected_account_id: idSchema,
  account_type: z.string(),
  account_type_display_name: z.string(),
  display_name: z.string(),
  created_at: timestampSchema,
  errors: z.array(accountErrorSchema),
  warnings: z.array(accountWarningSchema),
  custom_metadata: z.record(z.string(), z.union([z.string(), z.boolean()])),
  automatically_manage_new_devices: z.boolean(),
  accepted_capabilities: z.array(z.enum(['lock'])),
});
export type ConnectedAccount = z.infer<typeof connectedAccountSchema>;
export type AccountError = z.infer<typeof accountErrorSchema>;
export type AccountWarning = z.infer<typeof accountWarningSchema>;

/**
 * A connected account as stored. Its credential is never here: `secret_name` names the secret
 * that holds it (Secrets Manager in AWS, the table locally).
 */
export const connectedAccountRecordSchema = z.object({
  workspace_id: idSchema,
  connected_account: connectedAccountSchema,
  provider: providerNameSchema,
  /** Settings only the account's provider reads (for Seam: the upstream endpoint). */
  provider_settings: z.record(z.string(), z.unknown()),
  secret_name: z.string().min(1).max(512).optional(),
  last_synced_at: timestampSchema.optional(),
});
export type ConnectedAccountRecord = z.infer<typeof connectedAccountRecordSchema>;

const metadataSchema = z.record(z.string().max(40), z.union([z.string().max(500), z.boolean()])).refine((m) => Object.keys(m).length <= 50, {
  error: 'At most 50 keys',
});

export const getConnectedAccountInputSchema = z.object({ connected_account_id: idSchema });
export const listConnectedAccountsInputSchema = z.object({
  custom_metadata_has: metadataSchema.optional(),
  limit: z.number().int().min(1).max(11_000).optional(),
});
export const updateConnectedAccountInputSchema = z.object({
  connected_account_id: idSchema,
  automatically_manage_new_devices: z.boolean().optional(),
  custom_metadata: metadataSchema.optional(),
});
export type UpdateConnectedAccountInput = z.infer<typeof updateConnectedAccountInputSchema>;
export const deleteConnectedAccountInputSchema = z.object({ connected_account_id: idSchema, sync: z.boolean().optional() });
export const syncConnectedAccountInputSchema = z.object({ connected_account_id: idSchema });
