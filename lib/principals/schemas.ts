import * as z from 'zod';
import { idSchema, isoDateTimeSchema, timestampSchema } from '../schema-helpers';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** A stored client session: its grants, its lifetime, and the hashes of the tokens issued for it. */
export const clientSessionRecordSchema = z.object({
  client_session_id: idSchema,
  workspace_id: idSchema,
  user_identifier_key: z.string().nullable(),
  customer_key: z.string().optional(),
  device_ids: z.array(idSchema),
  connected_account_ids: z.array(idSchema),
  connect_webview_ids: z.array(idSchema),
  created_at: timestampSchema,
  expires_at: timestampSchema,
  revoked_at: timestampSchema.optional(),
  /** Newest last; the oldest fall off past `maxTokensPerSession`. */
  token_hashes: z.array(sha256Schema),
  version: z.number().int().min(0),
});
export type ClientSessionRecord = z.infer<typeof clientSessionRecordSchema>;

/** Tokens kept valid per session: each get_or_create or get issues one, so a session open in many tabs keeps working. */
export const maxTokensPerSession = 50;

/** The Seam `client_session` object. */
export const clientSessionSchema = z.object({
  client_session_id: idSchema,
  workspace_id: idSchema,
  created_at: timestampSchema,
  expires_at: timestampSchema,
  token: z.string(),
  user_identifier_key: z.string().nullable(),
  customer_key: z.string().optional(),
  device_count: z.number(),
  device_ids: z.array(idSchema).meta({ description: "Latchkey's addition: the devices granted to the session by id." }),
  connected_account_ids: z.array(idSchema),
  connect_webview_ids: z.array(idSchema),
  user_identity_ids: z.array(idSchema),
});
export type ClientSession = z.infer<typeof clientSessionSchema>;

export const publishableKeyRecordSchema = z.object({
  publishable_key_id: idSchema,
  workspace_id: idSchema,
  key_hash: sha256Schema,
  key_prefix: z.string(),
  created_at: timestampSchema,
});
export type PublishableKeyRecord = z.infer<typeof publishableKeyRecordSchema>;

/** An operator's token: not tied to one workspace, but to the workspaces it lists. */
export const personalAccessTokenRecordSchema = z.object({
  personal_access_token_id: idSchema,
  name: z.string().min(1).max(255),
  workspace_ids: z.array(idSchema).min(1),
  key_hash: sha256Schema,
  key_prefix: z.string(),
  created_at: timestampSchema,
});
export type PersonalAccessTokenRecord = z.infer<typeof personalAccessTokenRecordSchema>;

const idList = z.array(idSchema).max(1000);
const userIdentifierKeySchema = z.string().min(1).max(255);

/** What a session may be granted; `device_ids` is Latchkey's addition to Seam's parameters. */
const grantsShape = {
  device_ids: idList.optional().meta({ description: "Latchkey's addition: grants these devices by id (Seam grants connected accounts and user identities)." }),
  connected_account_ids: idList.optional(),
  connect_webview_ids: idList.optional(),
  user_identity_ids: z.array(idSchema).max(0, { error: 'User identities are not supported' }).optional(),
  user_identity_id: z.never({ error: 'User identities are not supported' }).optional(),
};

export const createClientSessionInputSchema = z.object({
  user_identifier_key: userIdentifierKeySchema.optional(),
  customer_key: z.string().min(1).max(255).optional(),
  customer_id: z.never({ error: 'Customers are not supported; use customer_key' }).optional(),
  expires_at: isoDateTimeSchema.optional(),
  ...grantsShape,
});
export type CreateClientSessionInput = z.infer<typeof createClientSessionInputSchema>;

export const getOrCreateClientSessionInputSchema = createClientSessionInputSchema.omit({ customer_key: true, customer_id: true });

export const getClientSessionInputSchema = z.object({
  client_session_id: idSchema.optional(),
  user_identifier_key: userIdentifierKeySchema.optional(),
});

export const listClientSessionsInputSchema = z.object({
  client_session_id: idSchema.optional(),
  user_identifier_key: userIdentifierKeySchema.optional(),
  connect_webview_id: idSchema.optional(),
  without_user_identifier_key: z.boolean().optional(),
  user_identity_id: z.never({ error: 'User identities are not supported' }).optional(),
});
export type ListClientSessionsInput = z.infer<typeof listClientSessionsInputSchema>;

export const grantAccessInputSchema = z.object({
  client_session_id: idSchema.optional(),
  user_identifier_key: userIdentifierKeySchema.optional(),
  ...grantsShape,
});
export type GrantAccessInput = z.infer<typeof grantAccessInputSchema>;

export const clientSessionIdInputSchema = z.object({ client_session_id: idSchema });
