import { readFileSync } from 'node:fs';
import * as z from 'zod';

const lengthsSchema = z.object({ min: z.number().int().min(4).max(10), max: z.number().int().min(4).max(10) }).refine((l) => l.min <= l.max, { error: 'min must not exceed max' });
const keySchema = z.string().regex(/^[0-9a-fA-F]{32}$/, { error: 'A network key is 32 hex digits' });

/** The edge agent's configuration: a JSON file, with environment variables taking precedence. */
export const edgeConfigSchema = z
  .object({
    /** The hub's IoT thing (printed by `accounts connect zwave`); also the MQTT client id. */
    thing_name: z.string().regex(/^[a-zA-Z0-9:_-]{1,128}$/),
    /** `mqtts://<prefix>-ats.iot.<region>.amazonaws.com:8883` in AWS. */
    mqtt_url: z.string().regex(/^mqtts?:\/\/[^/]+$/, { error: 'Must be mqtts://host:port (or mqtt:// for a local broker)' }),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    ca_file: z.string().min(1).optional(),
    zwave: z.union([
      /** The agent owns the controller: a USB stick or a serial-over-TCP bridge. */
      z.strictObject({ serial_port: z.string().min(1) }),
      /** A Z-Wave JS server already owns it (Home Assistant's add-on, Z-Wave JS UI): ws://host:3000. Security keys and the cache are the server's. */
      z.strictObject({ server_url: z.string().regex(/^wss?:\/\//) }),
    ]),
    /** zwave-js's network cache: keep it, or the next start interviews every node again. */
    cache_dir: z.string().min(1).default('.latchkey-edge'),
    /** The network's security keys (Z-Wave JS UI: Settings → Security keys). */
    security_keys: z.object({ S0_Legacy: keySchema, S2_Unauthenticated: keySchema, S2_Authenticated: keySchema, S2_AccessControl: keySchema }).partial().default({}),
    /** Slots per lock that Latchkey manages (the shadow holds at most 8 KB). */
    max_slots: z.number().int().min(1).max(60).default(30),
    /** PIN lengths the locks take; Z-Wave does not report them, the lock's manual does. */
    code_lengths: lengthsSchema.default({ min: 4, max: 8 }),
    /** Per lock (by node id) overrides. */
    locks: z.record(z.string().regex(/^\d+$/), z.object({ max_slots: z.number().int().min(1).max(60).optional(), code_lengths: lengthsSchema.optional() })).default({}),
    /**
     * Verify every lock this often, for changes a lock does not announce: its User Code Checksum
     * (User Code v2), every slot only when it differs or the lock has none; 0 turns it off.
     */
    refresh_minutes: z.number().min(0).max(1440).default(60),
    zwave_log_level: z.enum(['error', 'warn', 'info', 'debug']).optional(),
    /** How soon to dial IoT Core (or the Z-Wave JS server) again after losing it. */
    reconnect_seconds: z.number().min(0.1).max(300).default(5),
  })
  .refine((c) => !c.mqtt_url.startsWith('mqtts:') || (c.cert_file !== undefined && c.key_file !== undefined), {
    error: 'mqtts needs cert_file and key_file (the hub certificate and its private key)',
    path: ['cert_file'],
  });
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

const envNames = {
  LATCHKEY_EDGE_THING_NAME: 'thing_name',
  LATCHKEY_EDGE_MQTT_URL: 'mqtt_url',
  LATCHKEY_EDGE_CERT_FILE: 'cert_file',
  LATCHKEY_EDGE_KEY_FILE: 'key_file',
  LATCHKEY_EDGE_CA_FILE: 'ca_file',
  LATCHKEY_EDGE_CACHE_DIR: 'cache_dir',
} as const;
const keyEnvNames = {
  LATCHKEY_EDGE_S0_LEGACY_KEY: 'S0_Legacy',
  LATCHKEY_EDGE_S2_UNAUTHENTICATED_KEY: 'S2_Unauthenticated',
  LATCHKEY_EDGE_S2_AUTHENTICATED_KEY: 'S2_Authenticated',
  LATCHKEY_EDGE_S2_ACCESS_CONTROL_KEY: 'S2_AccessControl',
} as const;

/** Reads the file (if any), lays the environment over it, validates. Errors name the setting, never a key's value. */
export function loadEdgeConfig(file: string | undefined, env: NodeJS.ProcessEnv): EdgeConfig {
  let base: Record<string, unknown> = {};
  if (file !== undefined) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object`);
    base = { ...parsed };
  }
  for (const [name, field] of Object.entries(envNames)) if (env[name]) base[field] = env[name];
  if (env.LATCHKEY_EDGE_SERIAL_PORT) base.zwave = { serial_port: env.LATCHKEY_EDGE_SERIAL_PORT };
  if (env.LATCHKEY_EDGE_ZWAVE_SERVER_URL) base.zwave = { server_url: env.LATCHKEY_EDGE_ZWAVE_SERVER_URL };
  const keys: Record<string, string> = typeof base.security_keys === 'object' && base.security_keys !== null ? { ...base.security_keys } : {};
  for (const [name, field] of Object.entries(keyEnvNames)) if (env[name]) keys[field] = env[name];
  base.security_keys = keys;
  const result = edgeConfigSchema.safeParse(base);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid edge agent configuration\n  ${fields.join('\n  ')}`);
  }
  return result.data;
}

/** The settings of one lock: its overrides, else the agent's. */
export const lockSettings = (config: EdgeConfig, nodeId: number) => ({
  maxSlots: config.locks[String(nodeId)]?.max_slots ?? config.max_slots,
  codeLengths: config.locks[String(nodeId)]?.code_lengths ?? config.code_lengths,
});
