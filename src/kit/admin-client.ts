/**
 * A typed client of the whole admin API (`/admin/v1`), for the test kit, the `tuikuan` CLI and merchants'
 * own scripts: one method per call, grouped by resource, answering the call's JSON (admin-api.ts). A refusal
 * is thrown as an AdminApiError with the API's status, code and message.
 */
import type * as Api from './admin-api.js';

export interface AdminClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:9080`, or its admin URL (`…/admin/v1`). */
  url: string;
  /** The admin API's bearer token. */
  token: string;
}

/** An admin call refused: the HTTP status and the API's stable code (`trade_not_found`, `invalid_request`, …). */
export class AdminApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = code;
  }
}

export interface AdminClient {
  /** The admin API's base URL (`…/admin/v1`). */
  readonly adminUrl: string;
  merchants: {
    create(body?: Api.NewMerchantBody): Promise<Api.CreatedMerchant>;
    get(pid: string): Promise<Api.Merchant>;
    update(pid: string, settings: Api.MerchantSettingsBody): Promise<Api.Merchant>;
    /** `{delta: "+100.00"}` or `{set: "0.00"}`: one ledger entry; never below zero. */
    changeBalance(pid: string, change: Api.BalanceChangeBody): Promise<Api.Merchant>;
    ledger(pid: string): Promise<Api.Ledger>;
  };
  buyers: {
    create(body?: Api.NewBuyerBody): Promise<Api.CreatedBuyer>;
    get(buyerUserId: string): Promise<Api.Buyer>;
    findByLogonId(logonId: string): Promise<Api.Buyer>;
    update(buyerUserId: string, change: Api.BuyerChangeBody): Promise<Api.Buyer>;
  };
  apps: {
    create(body: Api.NewAppBody): Promise<Api.CreatedApp>;
    get(appId: string): Promise<Api.App>;
    update(appId: string, settings: Api.AppSettingsBody): Promise<Api.App>;
  };
  appAuthTokens: {
    create(body: Api.AppAuthTokenBody): Promise<Api.AppAuthToken>;
    revoke(token: string): Promise<void>;
  };
  platform(): Promise<Api.Platform>;
  trades: {
    create(body: Api.NewTradeBody): Promise<Api.Trade>;
    get(tradeNo: string): Promise<Api.Trade>;
    update(tradeNo: string, settings: Api.TradeSettingsBody): Promise<Api.Trade>;
  };
  refunds: { list(filter?: Api.RefundFilter): Promise<Api.Refund[]> };
  batches: { get(batchNo: string, partner?: string): Promise<Api.Batch> };
  notifications: {
    list(filter?: Api.NotificationFilter): Promise<Api.Notification[]>;
    /** One more attempt, now, outside the schedule. */
    resend(notifyId: string): Promise<Api.Notification>;
  };
  clock: {
    get(): Promise<Api.Clock>;
    /** Virtual clock only: every job due on the way runs, in order, before this resolves. */
    advance(seconds: number): Promise<Api.ClockMove>;
    /** Virtual clock only: to the next job's time, running what is due then (nothing moves when no job waits). */
    toNextJob(): Promise<Api.ClockMove>;
  };
  jobs: {
    list(): Promise<Api.Job[]>;
    retry(id: number): Promise<Api.Job>;
  };
  faults: {
    arm(body: Api.FaultBody): Promise<Api.Fault>;
    list(): Promise<Api.Fault[]>;
    clear(): Promise<void>;
  };
  /** Empties the world back to its seed, the clock back to where it stood at start. */
  reset(): Promise<Api.ResetWorld>;
  snapshots: {
    take(): Promise<Api.Snapshot>;
    list(): Promise<Api.Snapshot[]>;
    restore(snapshotId: string): Promise<Api.RestoredSnapshot>;
    drop(snapshotId: string): Promise<void>;
  };
}

type Query = Record<string, string | undefined>;

const segment = (value: string | number) => encodeURIComponent(String(value));

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The admin URL of a server's base URL or admin URL, without a trailing slash. */
function adminUrlOf(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/admin/v1') ? trimmed : `${trimmed}/admin/v1`;
}

export function adminClient(options: AdminClientOptions): AdminClient {
  const adminUrl = adminUrlOf(options.url);

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${adminUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new Error(`cannot reach tuikuan at ${adminUrl}: ${cause}`);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const refusal = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AdminApiError(response.status, refusal?.code ?? 'http_error', refusal?.message ?? `${method} ${path}: HTTP ${response.status}`);
    }
    return parsed as T;
  }

  const get = <T>(path: string) => call<T>('GET', path);
  const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
  const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, body);
  const remove = async (path: string) => {
    await call<undefined>('DELETE', path);
  };

  return {
    adminUrl,
    merchants: {
      create: (body = {}) => post('/merchants', body),
      get: (pid) => get(`/merchants/${segment(pid)}`),
      update: (pid, settings) => patch(`/merchants/${segment(pid)}`, settings),
      changeBalance: (pid, change) => post(`/merchants/${segment(pid)}/balance`, change),
      ledger: (pid) => get(`/merchants/${segment(pid)}/ledger`),
    },
    buyers: {
      create: (body = {}) => post('/buyers', body),
      get: (buyerUserId) => get(`/buyers/${segment(buyerUserId)}`),
      findByLogonId: (logonId) => get(`/buyers${queryString({ logon_id: logonId })}`),
      update: (buyerUserId, change) => patch(`/buyers/${segment(buyerUserId)}`, change),
    },
    apps: {
      create: (body) => post('/apps', body),
      get: (appId) => get(`/apps/${segment(appId)}`),
      update: (appId, settings) => patch(`/apps/${segment(appId)}`, settings),
    },
    appAuthTokens: {
      create: (body) => post('/app-auth-tokens', body),
      revoke: (token) => remove(`/app-auth-tokens/${segment(token)}`),
    },
    platform: () => get('/platform'),
    trades: {
      create: (body) => post('/trades', body),
      get: (tradeNo) => get(`/trades/${segment(tradeNo)}`),
      update: (tradeNo, settings) => patch(`/trades/${segment(tradeNo)}`, settings),
    },
    refunds: {
      list: async (filter = {}) => (await get<{ refunds: Api.Refund[] }>(`/refunds${queryString({ ...filter })}`)).refunds,
    },
    batches: {
      get: (batchNo, partner) => get(`/batches/${segment(batchNo)}${queryString({ partner })}`),
    },
    notifications: {
      list: async (filter = {}) => (await get<{ notifications: Api.Notification[] }>(`/notifications${queryString({ ...filter })}`)).notifications,
      resend: (notifyId) => post(`/notifications/${segment(notifyId)}/resend`),
    },
    clock: {
      get: () => get('/clock'),
      advance: (seconds) => post('/clock', { advance_seconds: seconds }),
      toNextJob: () => post('/clock', { to_next_job: true }),
    },
    jobs: {
      list: async () => (await get<{ jobs: Api.Job[] }>('/jobs')).jobs,
      retry: (id) => post(`/jobs/${segment(id)}/retry`),
    },
    faults: {
      arm: (body) => post('/faults', body),
      list: async () => (await get<{ faults: Api.Fault[] }>('/faults')).faults,
      clear: () => remove('/faults'),
    },
    reset: () => post('/reset'),
    snapshots: {
      take: () => post('/snapshots'),
      list: async () => (await get<{ snapshots: Api.Snapshot[] }>('/snapshots')).snapshots,
      restore: (snapshotId) => post(`/snapshots/${segment(snapshotId)}/restore`),
      drop: (snapshotId) => remove(`/snapshots/${segment(snapshotId)}`),
    },
  };
}
