/**
 * AWS IoT Device Shadow semantics, as a pure function of a stored document and a request:
 * deep merge with null deleting a key, per-leaf metadata timestamps (epoch seconds), a version
 * that grows by one per accepted update and can be required by the caller, and the delta
 * (desired leaves the reported state does not match). The local broker serves shadows with
 * it, so the agent and the provider meet the same rules locally as in IoT Core.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface StoredShadow {
  state: { desired?: JsonObject; reported?: JsonObject };
  metadata: { desired?: JsonObject; reported?: JsonObject };
  version: number;
}

export interface UpdateRequest {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  version?: number;
  clientToken?: string;
}

/** IoT Core's limit on a shadow's state document. */
export const maxStateBytes = 8 * 1024;

export class ShadowRequestError extends Error {
  constructor(
    readonly code: 400 | 404 | 409 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'ShadowRequestError';
  }
}

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const deepEqual = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Merges `patch` into `base`: null deletes, objects merge, anything else replaces. Empty objects left by deletions go. */
function merge(base: JsonObject | undefined, patch: JsonObject): JsonObject | undefined {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) {
      const merged = merge(isObject(out[key]) ? out[key] : undefined, value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The metadata of `patch`: the same shape with `{timestamp}` at every leaf it sets. */
function stamp(patch: JsonObject, timestamp: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isObject(value) ? stamp(value, timestamp) : value === null ? null : { timestamp };
  }
  return out;
}

/** Desired leaves that the reported state lacks or holds differently. */
export function delta(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject | undefined {
  if (desired === undefined) return undefined;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(desired)) {
    const other = reported?.[key];
    if (isObject(value) && isObject(other)) {
      const inner = delta(value, other);
      if (inner !== undefined) out[key] = inner;
    } else if (!deepEqual(value, other)) out[key] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The metadata entries of the keys present in `shape`. */
export function metadataFor(shape: JsonObject, metadata: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(shape)) {
    const meta = metadata?.[key];
    if (isObject(value) && isObject(meta) && !('timestamp' in meta && Object.keys(meta).length === 1)) out[key] = metadataFor(value, meta);
    else if (meta !== undefined) out[key] = meta;
  }
  return out;
}

export interface UpdateOutcome {
  next: StoredShadow;
  /** The body of `update/accepted`. */
  accepted: JsonObject;
  /** The body of `update/documents`. */
  documents: JsonObject;
  /** The body of `update/delta`, when the update left desired and reported apart. */
  delta?: JsonObject;
}

const section = (shadow: StoredShadow | undefined): JsonObject => {
  if (shadow === undefined) return {};
  const state: JsonObject = {};
  if (shadow.state.desired) state.desired = shadow.state.desired;
  if (shadow.state.reported) state.reported = shadow.state.reported;
  const metadata: JsonObject = {};
  if (shadow.metadata.desired) metadata.desired = shadow.metadata.desired;
  if (shadow.metadata.reported) metadata.reported = shadow.metadata.reported;
  return { state, metadata, version: shadow.version };
};

/** Applies an update request to a stored shadow (undefined: none yet), as IoT Core does. */
export function applyUpdate(current: StoredShadow | undefined, request: UpdateRequest, timestamp: number): UpdateOutcome {
  if (!isObject(request.state) || (request.state.desired === undefined && request.state.reported === undefined)) {
    throw new ShadowRequestError(400, 'Missing required node: state');
  }
  if (request.version !== undefined && request.version !== (current?.version ?? 0)) {
    throw new ShadowRequestError(409, 'Version conflict');
  }
  const state = { ...current?.state };
  const metadata = { ...current?.metadata };
  const acceptedMeta: JsonObject = {};
  for (const part of ['desired', 'reported'] as const) {
    const patch = request.state[part];
    if (patch === undefined) continue;
    if (patch === null) {
      delete state[part];
      delete metadata[part];
      acceptedMeta[part] = null;
      continue;
    }
    const merged = merge(state[part], patch);
    const stamped = merge(metadata[part], stamp(patch, timestamp));
    if (merged === undefined) delete state[part];
    else state[part] = merged;
    if (stamped === undefined) delete metadata[part];
    else metadata[part] = stamped;
    acceptedMeta[part] = stamp(patch, timestamp);
  }
  const next: StoredShadow = { state, metadata, version: (current?.version ?? 0) + 1 };
  if (Buffer.byteLength(JSON.stringify(next.state)) > maxStateBytes) {
    throw new ShadowRequestError(413, 'The payload exceeds the maximum size allowed');
  }
  const token: JsonObject = request.clientToken === undefined ? {} : { clientToken: request.clientToken };
  const requested: JsonObject = {};
  if (request.state.desired !== undefined) requested.desired = request.state.desired;
  if (request.state.reported !== undefined) requested.reported = request.state.reported;
  const accepted: JsonObject = { state: requested, metadata: acceptedMeta, version: next.version, timestamp, ...token };
  const documents: JsonObject = { previous: current ? section(current) : null, current: section(next), timestamp, ...token };
  const gap = delta(next.state.desired, next.state.reported);
  const outcome: UpdateOutcome = { next, accepted, documents };
  if (gap !== undefined) {
    outcome.delta = { version: next.version, timestamp, state: gap, metadata: metadataFor(gap, next.metadata.desired), ...token };
  }
  return outcome;
}

/** The body of `get/accepted` (and GetThingShadow's answer). */
export function getDocument(shadow: StoredShadow, timestamp: number, clientToken?: string): JsonObject {
  const body = section(shadow);
  const gap = delta(shadow.state.desired, shadow.state.reported);
  if (gap !== undefined && isObject(body.state)) body.state.delta = gap;
  if (gap !== undefined && isObject(body.metadata)) body.metadata.delta = metadataFor(gap, shadow.metadata.desired);
  return { ...body, timestamp, ...(clientToken === undefined ? {} : { clientToken }) };
}
