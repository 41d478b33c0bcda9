import { runInThisContext } from 'node:vm';
import { expectValid } from '../support/seam-schemas';

/*
 * The official clients, loaded as published. Jest's CommonJS runtime cannot load them: 2.x is
 * ESM only, and 1.x's CommonJS build requires an ESM-only dependency
 * (@seamapi/url-search-params-serializer). Node 20.19+ require()s ES modules itself, so they
 * are loaded by Node's own loader, outside Jest's module registry: the clients' code runs
 * untransformed, exactly as users run it.
 */
const nodeProcess = runInThisContext('process') as NodeJS.Process;
const nodeRequire = nodeProcess.getBuiltinModule('node:module').createRequire(__filename);

type Params = Record<string, unknown>;

/** A property of a response body read whole (`fetchResponse`, or a raw fetch). */
export const field = (body: unknown, key: string): unknown => (typeof body === 'object' && body !== null ? (Reflect.get(body, key) as unknown) : undefined);

/** A lazy SDK request: awaiting it gives the response key, `fetchResponse` the whole body. */
export interface SdkRequest<T> extends PromiseLike<T> {
  fetchResponse(): Promise<unknown>;
}

export interface SdkAccessCode {
  access_code_id: string;
  device_id: string;
  name?: string | null;
  code?: string | null;
  type: string;
  status: string;
  starts_at?: string | null;
  ends_at?: string | null;
  errors: readonly { error_code: string }[];
}

export interface SdkDevice {
  device_id: string;
  display_name: string;
  properties: {
    supported_code_lengths?: readonly number[] | undefined;
    code_constraints?: readonly { constraint_type: string }[] | undefined;
  };
}

export interface SdkActionAttempt {
  action_attempt_id: string;
  action_type: string;
  status: string;
}

/** `flattenToArray` follows every next_page_cursor itself (the cursor type is branded per generation). */
export interface SdkPaginator<T> {
  firstPage(): Promise<readonly [T[], { hasNextPage: boolean; nextPageCursor: unknown; nextPageUrl: string | null }]>;
  flattenToArray(): Promise<T[]>;
}

type WaitOptions = { waitForActionAttempt?: boolean | { timeout?: number; pollingInterval?: number } };

/** The part of `SeamHttp` these tests use; both client generations must satisfy it. */
export interface SeamClient {
  devices: {
    list(params?: Params): SdkRequest<SdkDevice[]>;
    get(params: { device_id: string }): SdkRequest<SdkDevice>;
  };
  accessCodes: {
    create(params: { device_id: string } & Params): SdkRequest<SdkAccessCode>;
    get(params: Params): SdkRequest<SdkAccessCode>;
    list(params: Params): SdkRequest<SdkAccessCode[]>;
    generateCode(params: { device_id: string }): SdkRequest<{ device_id: string; code: string | null }>;
    update(params: { access_code_id: string } & Params): SdkRequest<void>;
    delete(params: { access_code_id: string }): SdkRequest<void>;
    createMultiple(params: { device_ids: string[] } & Params): SdkRequest<SdkAccessCode[]>;
    updateMultiple(params: { common_code_key: string } & Params): SdkRequest<void>;
    reportDeviceConstraints(params: { device_id: string } & Params): SdkRequest<void>;
    pullBackupAccessCode(params: { access_code_id: string }): SdkRequest<SdkAccessCode>;
    unmanaged: {
      list(params: { device_id: string } & Params): SdkRequest<SdkAccessCode[]>;
      get(params: Params): SdkRequest<SdkAccessCode>;
      update(params: { access_code_id: string; is_managed: boolean } & Params): SdkRequest<void>;
      delete(params: { access_code_id: string }): SdkRequest<void>;
      convertToManaged(params: { access_code_id: string } & Params): SdkRequest<void>;
    };
    simulate: {
      createUnmanagedAccessCode(params: { device_id: string; name: string; code: string }): SdkRequest<SdkAccessCode>;
    };
  };
  events: {
    list(params: Params): SdkRequest<readonly { event_type: string; access_code_id?: string }[]>;
  };
  /** The client's own HTTP client (axios): for routes the SDK has no method for yet (get_timeline). */
  client: {
    get(url: string, config: { params: Params }): Promise<{ data: unknown }>;
    post(url: string, data: Params): Promise<{ data: unknown }>;
  };
  actionAttempts: {
    get(params: { action_attempt_id: string }, options?: WaitOptions): SdkRequest<SdkActionAttempt>;
  };
  createPaginator(request: SdkRequest<SdkAccessCode[]>): SdkPaginator<SdkAccessCode>;
}

type ErrorClass<T> = abstract new (...args: never[]) => Error & T;

/** What a client generation exports that these tests use. */
export interface SeamSdk {
  SeamHttp: new (options: { apiKey: string; endpoint: string; axiosOptions?: { headers?: Record<string, string> } }) => SeamClient;
  SeamHttpApiError: ErrorClass<{ code: string; statusCode: number; requestId: string }>;
  SeamHttpInvalidInputError: ErrorClass<{ code: string; statusCode: number; getValidationErrorMessages(param: string): string[] }>;
  SeamHttpUnauthorizedError: ErrorClass<{ code: string; statusCode: number }>;
}

/** @seamapi/http 1.102.0: reads and deletes as POST with a JSON body, update as PUT. */
export const seamHttpV1 = (): SeamSdk => nodeRequire('seam-http-v1') as typeof import('seam-http-v1');

/** @seamapi/http 2.32.0: reads as GET query, update as PATCH, delete as DELETE query. */
export const seamHttpV2 = (): SeamSdk => nodeRequire('seam-http-v2') as typeof import('seam-http-v2');

/** Creating and reading codes through a client, with every object of each response checked against Seam's schemas. */
export function checkedAccessCodes(seam: SeamClient) {
  return {
    /**
     * Creates a code and checks the whole response. The client's own result is only
     * access_code, so the body is read with `fetchResponse`, which sends the request once
     * (1.x would send it again if the request were awaited as well).
     */
    async create(params: { device_id: string } & Params) {
      const body = await seam.accessCodes.create(params).fetchResponse();
      const accessCode = field(body, 'access_code');
      const actionAttempt = field(body, 'action_attempt');
      expectValid('access_code', accessCode);
      expectValid('action_attempt', actionAttempt);
      return { accessCode, actionAttempt };
    },

    async get(params: Params): Promise<SdkAccessCode> {
      const accessCode = await seam.accessCodes.get(params);
      expectValid('access_code', accessCode);
      return accessCode;
    },
  };
}
