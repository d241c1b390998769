/**
 * Account statuses that refuse a batch line (seed 002): a seller whose account is not normal
 * (TXN_RESULT_ACCOUNT_STATUS_NOT_VALID, 账户状态无效) and a trade whose buyer's account has a problem
 * (BUYER_ERROR, 因买家支付宝账户问题不允许退款). tuikuan has no accounts of its own to go wrong, so both are
 * data an operator sets through the admin API. (Default: normal)
 */
import {
  findBuyerAccountStatus,
  findSellerAccountStatus,
  updateBuyerAccountStatus,
  updateSellerAccountStatus,
} from '../store/sql/account-statuses.js';
import type { CoreDeps } from './deps.js';
import { DomainError } from './domain-error.js';

export const ACCOUNT_STATUSES = ['normal', 'frozen'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

const asStatus = (value: string | undefined): AccountStatus => (value === 'frozen' ? 'frozen' : 'normal');

export async function sellerAccountStatus(deps: CoreDeps, pid: string): Promise<AccountStatus> {
  return asStatus(await findSellerAccountStatus(deps.store.db, pid));
}

export async function setSellerAccountStatus(deps: CoreDeps, pid: string, status: AccountStatus): Promise<void> {
  if (!(await updateSellerAccountStatus(deps.store.db, pid, status))) throw new DomainError('merchant_not_found', `no merchant ${pid}`);
}

export async function buyerAccountStatus(deps: CoreDeps, tradeNo: string): Promise<AccountStatus> {
  return asStatus(await findBuyerAccountStatus(deps.store.db, tradeNo));
}

export async function setBuyerAccountStatus(deps: CoreDeps, tradeNo: string, status: AccountStatus): Promise<void> {
  if (!(await updateBuyerAccountStatus(deps.store.db, tradeNo, status))) throw new DomainError('trade_not_found', `no trade ${tradeNo}`);
}
