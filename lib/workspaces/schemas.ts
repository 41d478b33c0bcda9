import * as z from 'zod';
import { idSchema, timestampSchema } from '../schema-helpers';

export const workspaceSchema = z.object({
  workspace_id: idSchema,
  name: z.string().min(1).max(255),
  is_sandbox: z.boolean(),
  created_at: timestampSchema,
});
export type Workspace = z.infer<typeof workspaceSchema>;

/** A stored API key: only its SHA-256 hash and a short prefix for people to recognise it. */
export const apiKeyRecordSchema = z.object({
  api_key_id: idSchema,
  workspace_id: idSchema,
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  key_prefix: z.string(),
  created_at: timestampSchema,
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema>;

export const apiKeySchema = z
  .string()
  .regex(/^seam_[A-Za-z0-9_]{16,}$/, { error: 'API keys start with seam_ and have at least 16 more characters' })
  .refine((k) => !/^seam_(cst|at|pk)/.test(k), { error: 'seam_cst, seam_at and seam_pk prefixes are other credential kinds' });
