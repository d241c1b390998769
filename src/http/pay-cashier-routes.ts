/**
 * The buyer's cashier of page.pay and wap.pay (`/cashier/pay/:token`): the order, the buyer's login (logon id and
 * login password), the choice of channels — each with what it holds — and of the coupons that apply, and the
 * payment with the six-digit payment password. Paid, the browser is sent (302) to the order's return_url with
 * the signed sync-return parameters (protocol-notes §12.5); the merchant is notified at its notify_url by the
 * worker. A closed or expired order says so and takes nothing. Sessions, cookies and CSRF as the seller's pages
 * have them (cashier-http.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logInBuyer, loginLocked, orderSeller, payOrderAsBuyer, paymentOptions, type BuyerPaymentOutcome, type PaymentOptions } from '../core/buyer-cashier.js';
import { maskedLogonId } from '../core/buyers.js';
import { markLoggedIn, type CashierSession } from '../core/cashier-sessions.js';
import type { BuyerCouponChannel, BuyerPayChannel, PayOrder } from '../interfaces.js';
import { findPayOrderForCashier, payOrderStatusAt } from '../core/pay-orders.js';
import { allowsChannel } from '../core/pay-channel-policy.js';
import type { PaymentChoice, PaymentRefusal } from '../core/payment-draw.js';
import type { Services } from '../methods/services.js';
import { encodeText, parseCharset } from '../protocol/charset.js';
import { formatChinaTime } from '../protocol/china-time.js';
import { syncReturnParams, syncReturnUrl } from '../protocol/openapi/sync-return.js';
import { signContentWithoutSignType } from '../protocol/sign-content.js';
import { rsaSign } from '../protocol/signing.js';
import { formatYuan } from '../protocol/yuan.js';
import { checkedPost, html, sessionCookie, sessionOrNew, type FormBody } from './cashier-http.js';
import { payChoicePage, payLoginPage, payNotFoundPage, payOutcomePage, type ChannelOption, type OrderView } from './pay-cashier-pages.js';

const BANKS: Record<string, string> = {
  ICBC: '工商银行',
  ABC: '农业银行',
  BOC: '中国银行',
  CCB: '建设银行',
  COMM: '交通银行',
  BOCOM: '交通银行',
  CMB: '招商银行',
  CIB: '兴业银行',
  CITIC: '中信银行',
  CEB: '光大银行',
  CMBC: '民生银行',
  SPDB: '浦发银行',
  GDB: '广发银行',
  PAB: '平安银行',
  SPABANK: '平安银行',
  PSBC: '邮储银行',
  HXBANK: '华夏银行',
};
const CARD_TYPES: Record<string, string> = { DEBIT_CARD: '储蓄卡', CREDIT_CARD: '信用卡', MIXED_CARD: '借贷合一卡' };
const COUPON_KINDS: Record<BuyerCouponChannel, string> = { COUPON: '红包', MCOUPON: '商家红包', MDISCOUNT: '商家优惠券' };
/** The buyer's own channels a checkbox chooses (the bank card is a radio: one card per payment). */
const TICKED_CHANNELS: ReadonlyArray<[Exclude<BuyerPayChannel, 'BANKCARD'>, string]> = [
  ['ALIPAYACCOUNT', '账户余额'],
  ['FINANCEACCOUNT', '余额宝'],
  ['PCREDIT', '花呗'],
  ['POINT', '集分宝'],
];

/** What the cashier's form chose. */
function choiceOf(form: FormBody): PaymentChoice {
  const channels: BuyerPayChannel[] = TICKED_CHANNELS.filter(([channel]) => form.get(`pay_${channel}`) === '1').map(([channel]) => channel);
  const card = form.get('bank_card') ?? '';
  const position = /^[1-9]\d{0,2}$/.test(card) ? Number(card) : null;
  if (position !== null) channels.push('BANKCARD');
  const voucherIds = [...form.entries()].filter(([key, value]) => key.startsWith('coupon_') && value === '1').map(([key]) => key.slice('coupon_'.length));
  return { channels, voucherIds, ...(position !== null && { bankCardPosition: position }) };
}

function refusalText(refusal: PaymentRefusal): string {
  switch (refusal.reason) {
    case 'insufficient_funds':
      return `所选付款方式可用金额不足，还差 ¥${formatYuan(refusal.shortBy)}，请增加或更换付款方式。`;
    case 'bank_card_not_found':
      return '所选银行卡不存在，请重新选择。';
    case 'coupon_not_found':
    case 'coupon_not_applicable':
      return '所选红包或优惠券不能用于本订单，请重新选择。';
    case 'account_frozen':
      return '您的账户已被冻结，暂时无法付款。';
    case 'invalid_total':
      return '订单金额无效，无法付款。';
    case 'channel_not_allowed':
      return '本订单不支持所选付款方式，请更换付款方式。';
  }
}

/** How the cashier names the product the order was made with. */
const PRODUCTS: Record<PayOrder['method'], string> = {
  'alipay.trade.page.pay': '电脑网站支付',
  'alipay.trade.wap.pay': '手机网站支付',
  'alipay.trade.precreate': '扫码支付',
  'alipay.trade.create': '小程序支付',
};

/** The channels, cards and coupons offered, ticked as `choice` ticked them (by default the balance, if it holds anything). */
function offered(options: PaymentOptions, choice: PaymentChoice | null) {
  const holds: Record<(typeof TICKED_CHANNELS)[number][0], [number, string]> = {
    ALIPAYACCOUNT: [options.balance, `可用 ¥${formatYuan(options.balance)}`],
    FINANCEACCOUNT: [options.yuebao, `可用 ¥${formatYuan(options.yuebao)}`],
    PCREDIT: [options.huabeiAvailable, `可用额度 ¥${formatYuan(options.huabeiAvailable)}`],
    POINT: [options.points, `${options.points} 个，可抵 ¥${formatYuan(options.points)}`],
  };
  const channels: ChannelOption[] = TICKED_CHANNELS.filter(([channel]) => allowsChannel(options.policy, channel)).map(([channel, label]) => {
    const [amount, text] = holds[channel];
    const checked = choice ? (choice.channels ?? []).includes(channel) : channel === 'ALIPAYACCOUNT' && amount > 0;
    return { name: `pay_${channel}`, value: '1', label, holds: text, checked: checked && amount > 0, disabled: amount <= 0 };
  });
  const cards: ChannelOption[] = options.bankCards
    .filter((card) => allowsChannel(options.policy, 'BANKCARD', card))
    .map((card) => ({
      name: 'bank_card',
      value: String(card.position),
      label: `${BANKS[card.bankCode] ?? card.bankCode} ${CARD_TYPES[card.fundType] ?? ''}（尾号 ${card.cardTail}）`,
      holds: card.available === null ? '' : `可用 ¥${formatYuan(card.available)}`,
      checked: choice?.bankCardPosition === card.position,
      disabled: card.available !== null && card.available <= 0,
      radio: true,
    }));
  const coupons: ChannelOption[] = options.coupons.map((coupon) => ({
    name: `coupon_${coupon.voucherId}`,
    value: '1',
    label: `${COUPON_KINDS[coupon.fundChannel]} · ${coupon.name}${coupon.wholeOnly ? '（需一次用完）' : ''}`,
    holds: `¥${formatYuan(coupon.remaining)}`,
    checked: choice ? (choice.voucherIds ?? []).includes(coupon.voucherId) : false,
    disabled: false,
  }));
  return { channels, cards, coupons };
}

export function payCashierRoutes(app: FastifyInstance, services: Services, platformKey: KeyObject): void {
  const base = (order: PayOrder) => `/cashier/pay/${order.token}`;

  async function orderView(order: PayOrder): Promise<OrderView> {
    const seller = await orderSeller(services, order);
    // Only page.pay is paid on a PC; a QR code and a mini program's order are paid on the phone.
    const wap = order.method !== 'alipay.trade.page.pay';
    return {
      wap,
      product: PRODUCTS[order.method],
      merchantName: seller?.name ?? order.sellerPid,
      subject: order.subject,
      body: order.body,
      outTradeNo: order.outTradeNo,
      totalAmount: formatYuan(order.totalAmount),
      cancelUrl: (wap ? order.quitUrl : null) ?? order.returnUrl,
    };
  }

  /** The return_url with the sync return of the order's payment, signed by the platform key (RSA2). */
  function signedReturn(order: PayOrder): string | null {
    if (!order.returnUrl || !order.tradeNo) return null;
    const params = syncReturnParams({
      method: order.method,
      charset: order.charset,
      outTradeNo: order.outTradeNo,
      tradeNo: order.tradeNo,
      totalAmount: order.totalAmount,
      sellerId: order.sellerPid,
      appId: order.appId,
      at: services.clock.now(),
    });
    const content = encodeText(signContentWithoutSignType(params), parseCharset(order.charset) ?? 'utf-8');
    return syncReturnUrl(order.returnUrl, params, rsaSign(content, platformKey, 'RSA2'));
  }

  async function choicePage(order: PayOrder, session: CashierSession, extra: { error?: string; choice?: PaymentChoice } = {}) {
    const options = session.buyerUserId ? await paymentOptions(services, order, session.buyerUserId) : undefined;
    if (!options) return null;
    return payChoicePage({
      ...(await orderView(order)),
      action: `${base(order)}/pay`,
      csrf: session.csrfToken,
      buyerLogonId: maskedLogonId(options.buyer.logonId),
      ...offered(options, extra.choice ?? null),
      ...(extra.error && { error: extra.error }),
      ...(options.paymentLockedUntil !== null && { lockedUntil: formatChinaTime(options.paymentLockedUntil) }),
    });
  }

  /** The page the order is at for this session: closed, paid, locked, the login, or the choice. */
  async function show(reply: FastifyReply, order: PayOrder, session: CashierSession, error?: string, status = 200, logonId?: string): Promise<FastifyReply> {
    const view = await orderView(order);
    const state = payOrderStatusAt(order, services.clock.now());
    if (state === 'TRADE_CLOSED') return html(reply, payOutcomePage({ ...view, kind: 'closed' }), status === 200 ? 200 : 409);
    if (state === 'TRADE_SUCCESS') return html(reply, payOutcomePage({ ...view, kind: 'paid', returnUrl: signedReturn(order) }));
    if (!session.loggedIn) {
      if (loginLocked(order)) return html(reply, payOutcomePage({ ...view, kind: 'login_locked' }), status === 200 ? 200 : 423);
      const page = payLoginPage({ ...view, action: `${base(order)}/login`, csrf: session.csrfToken, ...(error && { error }), ...(logonId && { logonId }) });
      return html(reply, page, status);
    }
    const page = await choicePage(order, session, error ? { error } : {});
    return page ? html(reply, page, status) : html(reply, payNotFoundPage(), 404);
  }

  async function posted(request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) {
    const order = await findPayOrderForCashier(services, request.params.token);
    if (!order) return { refused: html(reply, payNotFoundPage(), 404) };
    const checked = await checkedPost(services, request, { payOrderId: order.id });
    if (!checked) return { refused: html(reply, payNotFoundPage().replace('订单不存在或页面已过期', '页面已过期，请刷新后重试'), 403) };
    return { order, ...checked };
  }

  app.get<{ Params: { token: string } }>('/pay/:token', async (request, reply) => {
    const order = await findPayOrderForCashier(services, request.params.token);
    if (!order) return html(reply, payNotFoundPage(), 404);
    return show(reply, order, await sessionOrNew(services, request, reply, { payOrderId: order.id }));
  });

  app.post<{ Params: { token: string } }>('/pay/:token/login', async (request, reply) => {
    const found = await posted(request, reply);
    if ('refused' in found) return found.refused;
    const { order, session, form } = found;
    if (session.loggedIn) return reply.redirect(base(order), 303);
    const logonId = (form.get('logon_id') ?? '').slice(0, 100);
    const outcome = await logInBuyer(services, order, logonId, form.get('login_password') ?? '');
    if (outcome.kind === 'wrong') return show(reply, order, session, `账户名或登录密码不正确，您还可以输入 ${outcome.remaining} 次。`, 401, logonId);
    if (outcome.kind === 'buyer_mismatch') return show(reply, order, session, '该订单需由下单时指定的买家付款，请使用该支付宝账户登录。', 403, logonId);
    if (outcome.kind === 'logged_in') {
      if (outcome.jobsOwed) services.jobsAdded();
      const renewed = await markLoggedIn(services, session, outcome.buyer.buyerUserId);
      if (renewed) reply.header('set-cookie', sessionCookie(renewed));
    }
    return reply.redirect(base(order), 303);
  });

  app.post<{ Params: { token: string } }>('/pay/:token/pay', async (request, reply) => {
    const found = await posted(request, reply);
    if ('refused' in found) return found.refused;
    const { order, session, form } = found;
    if (!session.loggedIn || !session.buyerUserId) return reply.redirect(base(order), 303);
    const choice = choiceOf(form);
    const outcome: BuyerPaymentOutcome = await payOrderAsBuyer(services, order, session.buyerUserId, choice, form.get('payment_password') ?? '');
    const again = async (error: string, status: number) => {
      const page = await choicePage(order, session, { error, choice });
      return page ? html(reply, page, status) : html(reply, payNotFoundPage(), 404);
    };
    switch (outcome.kind) {
      case 'paid': {
        if (outcome.order.notifyUrl) services.jobsAdded();
        const back = signedReturn(outcome.order);
        return back ? reply.redirect(back, 302) : reply.redirect(base(order), 303);
      }
      case 'refused':
        return again(refusalText(outcome.refusal), 400);
      case 'wrong_password':
        return again(`支付密码不正确，您还可以输入 ${outcome.attemptsLeft} 次。`, 401);
      case 'password_locked':
        return again('支付密码输入错误次数过多，已被锁定。', 423);
      case 'not_payable':
        return reply.redirect(base(order), 303);
    }
  });
}
