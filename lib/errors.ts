/**
 * Domain errors. Each carries the Seam error `type` and HTTP status it maps to; the HTTP
 * middleware maps them by `instanceof AppError`. Messages must never contain a PIN or a key.
 */
export class AppError extends Error {
  constructor(
    readonly type: string,
    readonly statusCode: number,
    message: string,
    readonly extra: { validation_errors?: unknown; data?: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type ValidationTree = { _errors: string[]; [field: string]: unknown };

export class InvalidInputError extends AppError {
  constructor(message: string, validationErrors: ValidationTree = { _errors: [message] }) {
    super('invalid_input', 400, message, { validation_errors: validationErrors });
  }

  /** An invalid_input error that names one field, in zod's `format()` shape. */
  static forField(field: string, message: string): InvalidInputError {
    return new InvalidInputError(`${message} for "${field}"`, { _errors: [], [field]: { _errors: [message] } });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Unauthorized') {
    super('unauthorized', 401, message);
  }
}

export class NotFoundError extends AppError {
  constructor(type: string, message: string) {
    super(type, 404, message);
  }
}

export const deviceNotFound = () => new NotFoundError('device_not_found', 'Device not found');
export const accessCodeNotFound = () => new NotFoundError('access_code_not_found', 'Access code not found');
export const actionAttemptNotFound = () => new NotFoundError('action_attempt_not_found', 'Action attempt not found');
export const eventNotFound = () => new NotFoundError('event_not_found', 'Event not found');

export class DuplicateAccessCodeError extends AppError {
  constructor() {
    super('duplicate_access_code', 409, 'An access code with this PIN already exists on the device');
  }
}

/** A PIN Latchkey generated was claimed by a concurrent create first; generating another one can succeed. */
export class GeneratedPinTakenError extends DuplicateAccessCodeError {}

/** A keypad entry was recorded before: its report came again (internal, never an HTTP answer). */
export class EntryAlreadyRecordedError extends Error {
  constructor() {
    super('The entry was recorded before');
    this.name = 'EntryAlreadyRecordedError';
  }
}

/** A conditional write lost a race: the item changed since it was read. */
export class ConflictError extends AppError {
  constructor(message = 'The resource was modified concurrently; retry the request') {
    super('conflict', 409, message);
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(allowed: readonly string[]) {
    super('method_not_allowed', 405, `Only ${allowed.join(', ')} accepted`);
  }
}

export class RouteNotFoundError extends AppError {
  constructor() {
    super('not_found', 404, 'Route not found');
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super('payload_too_large', 413, `Request body exceeds ${limit} bytes`);
  }
}

/** An Idempotency-Key already used for a different request in the workspace. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('idempotency_key_reused', 422, 'This Idempotency-Key was used for a different request; use a new key for a new request');
  }
}

/** An Idempotency-Key whose first request is still running: retry once it has answered. */
export class IdempotencyKeyInUseError extends AppError {
  constructor() {
    super('idempotency_key_in_use', 409, 'A request with this Idempotency-Key is still running; retry after it has answered');
  }
}
