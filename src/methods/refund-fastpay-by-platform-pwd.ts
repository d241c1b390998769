/**
 * refund_fastpay_by_platform_pwd (seed 002) — the batch refund with the seller's payment password. A valid
 * request becomes a batch awaiting the seller and the browser goes on to the cashier pages; an invalid one
 * gets the error page with its code, and creates nothing.
 */
import { formatChinaDate, parseChinaTime } from '../protocol/china-time.js';
import { batchNoTaken, createBatch } from '../core/batch-creation.js';
import type { Merchant } from '../interfaces.js';
import { isNotifyUrl, MAPI_NOTIFY_URL_MAX } from '../core/notify-url.js';
import { merchantByEmail, merchantByPid } from '../core/merchants.js';
import { partnerActsFor } from '../core/partner-authority.js';
import { batchNoValid } from '../protocol/mapi/batch-no.js';
import { countLines, parseDetailData } from '../protocol/mapi/detail-data.js';
import { mapiError, type MapiErrorCode } from '../protocol/mapi/mapi-errors.js';
import type { MapiReply, MapiService, SignedMapiContext } from './mapi-service.js';

/** Seed 002: at most 1000 lines ("#" at most 999 times). */
export const MAX_BATCH_LINES = 1000;
const PID = /^2088\d{12}$/;
const BATCH_NUM = /^[1-9]\d{0,5}$/;
/** The Referer stands in for a missing return_url; it is the browser's, so a long one is dropped, not refused. */
const MAX_REFERER_LENGTH = 1024;

/**
 * notify_url is String(200) in seed 002; return_url is not in the seed, and Alipay's other page services
 * give it the same String(200). Both must be absolute http(s) URLs.
 */
const urlValid = (url: string | null): boolean => url === null || isNotifyUrl(url, MAPI_NOTIFY_URL_MAX);

const refuse = (code: MapiErrorCode): MapiReply => ({ kind: 'error_page', error: mapiError(code) });

/** The seller named by seller_user_id (which wins) or seller_email, or the code that refuses it. */
async function findSeller(context: SignedMapiContext): Promise<Merchant | MapiErrorCode> {
  const userId = context.params.get('seller_user_id');
  if (userId) {
    if (!PID.test(userId)) return 'ILLEGAL_USER';
    return (await merchantByPid(context.services, userId)) ?? 'SELLER_INFO_NOT_EXIST';
  }
  const email = context.params.get('seller_email');
  if (!email) return 'SELLER_INFO_NOT_EXIST';
  return (await merchantByEmail(context.services, email)) ?? 'SELLER_INFO_NOT_EXIST';
}

export const refundFastpayByPlatformPwd: MapiService = {
  name: 'refund_fastpay_by_platform_pwd',
  signed: true,
  async run(context) {
    const { params, partner, services } = context;
    const notifyUrl = params.get('notify_url') || null;
    const returnUrlParam = params.get('return_url') || null;
    if (!urlValid(notifyUrl) || !urlValid(returnUrlParam)) return refuse('ILLEGAL_ARGUMENT');
    const { referer } = context;
    const returnUrl = returnUrlParam ?? (referer && isNotifyUrl(referer, MAX_REFERER_LENGTH) ? referer : null);

    const seller = await findSeller(context);
    if (typeof seller === 'string') return refuse(seller);
    if (!(await partnerActsFor(services, partner.pid, seller.pid))) return refuse('ILLEGAL_USER');
    if (!partner.pwdRefundEnabled) return refuse('PARTNER_NOT_SIGN_PROTOCOL');

    // Seed 002: refund_date is the request's current time (退款请求时间) — today in China time, as batch_no's date.
    const refundDate = params.get('refund_date') ?? '';
    const refundAt = parseChinaTime(refundDate);
    if (refundAt === null || formatChinaDate(refundAt) !== formatChinaDate(services.clock.now())) return refuse('REFUND_DATE_ERROR');
    const batchNo = params.get('batch_no') ?? '';
    if (!batchNoValid(batchNo, services.clock.now())) return refuse('BATCH_NO_FORMAT_ERROR');
    if (await batchNoTaken(services, partner.pid, batchNo)) return refuse('DUPLICATE_BATCH_NO');

    const batchNumText = params.get('batch_num') ?? '';
    if (!BATCH_NUM.test(batchNumText)) return refuse('BATCH_NUM_ERROR');
    const batchNum = Number(batchNumText);
    if (batchNum > MAX_BATCH_LINES) return refuse('BATCH_NUM_EXCEED_LIMIT');
    const detailData = params.get('detail_data') ?? '';
    if (!detailData) return refuse('DETAIL_DATA_FORMAT_ERROR');
    if (countLines(detailData) !== batchNum) return refuse('BATCH_NUM_NOT_EQUAL_TOTAL');
    const detail = parseDetailData(detailData, context.charset);
    if (!detail.ok) return refuse(detail.code);

    const batch = await createBatch(services, {
      batchNo,
      partnerPid: partner.pid,
      sellerPid: seller.pid,
      charset: context.charset,
      signType: context.signType,
      notifyUrl,
      returnUrl,
      refundDate,
      lines: detail.lines,
    });
    if (!batch) return refuse('DUPLICATE_BATCH_NO');
    return { kind: 'redirect', location: `/cashier/batches/${batch.token}` };
  },
};
