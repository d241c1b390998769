/**
 * Payments through the buyer's cashier, as the chaos run makes them while processes are killed: the merchant's
 * site builds alipay.trade.page.pay or alipay.trade.wap.pay with the official SDK's pageExecute (GET), the
 * buyer's browser follows it to the cashier (`/cashier/pay/<token>`), logs in, chooses channels — mixes of the
 * balance, Yu'E Bao, Huabei, points, a bank card, coupons — and pays with the payment password; the cashier
 * answers with the redirect to return_url carrying the signed sync return, which the SDK's checkNotifySign
 * must verify. That redirect is the acknowledgement (so is the paid page, seen again after an answer was lost);
 * the paid trade then joins the pool that refunds are drawn from, so refunds return money to the buyers.
 *
 * A step whose connection died is unknown: the payment is set aside and resumed later from the same browser
 * session — the cashier then shows it paid, or takes the payment (again): either way one trade. Nothing here
 * relies on whether a trade exists between the login and the payment.
 */
import type { ChaosBuyer } from './chaos-buyers.js';
import { CashierBrowser, cashierPageOf, choicePageOf, paidReturnLinkOf, type ChoicePage } from './chaos-cashier-browser.js';
import type { Random } from './chaos-random.js';
import { yuan, type Fen, type Invariant, type LoadFigures, type PaymentBook, type Violations } from './chaos-record.js';
import type { ChaosMerchant, World } from './chaos-world.js';

export type PagePayMethod = 'alipay.trade.page.pay' | 'alipay.trade.wap.pay';

/** What the figures count a cashier payment's POST under. */
const CASHIER_PAY = 'cashier: pay';
const PRODUCT_CODES: Record<PagePayMethod, string> = { 'alipay.trade.page.pay': 'FAST_INSTANT_TRADE_PAY', 'alipay.trade.wap.pay': 'QUICK_WAP_WAY' };
/** Pages visited and forms posted before a payment is set aside as going nowhere (a login and a pay take four). */
const MOST_STEPS = 10;
const GATEWAY_TIMEOUT_MS = 30_000;

export interface PaymentsDeps {
  world: World;
  buyers: readonly ChaosBuyer[];
  book: PaymentBook;
  figures: LoadFigures;
  violations: Violations;
  /** The cluster's origin: the gateway and the cashier. */
  origin: string;
  /** The merchant's return_url (never fetched: the redirect to it is what is judged). */
  returnUrl: string;
  notifyUrl: string;
}

/** The buyer's choice on the cashier's form. */
interface PaymentChoice {
  channels: string[];
  /** The card's position; '' for none. */
  bankCard: string;
  voucherIds: string[];
}

/** One payment under way: the order the merchant opened and the buyer's browser on it. */
interface CashierPayment {
  merchant: ChaosMerchant;
  buyer: ChaosBuyer;
  method: PagePayMethod;
  outTradeNo: string;
  total: Fen;
  cashier: string;
  browser: CashierBrowser;
  /** What the buyer chose last; null until the choice page is seen. */
  choice: PaymentChoice | null;
  /** Whether the buyer fell back to a choice that can pay whatever the other lanes spent. */
  fellBack: boolean;
}

type Step = 'paid' | 'interrupted' | 'given_up' | 'again';

export class CashierPayments {
  readonly #deps: PaymentsDeps;
  /** Payments whose last step got no answer: to be resumed. */
  readonly #interrupted: CashierPayment[] = [];
  #serial = 0;

  constructor(deps: PaymentsDeps) {
    this.#deps = deps;
  }

  /** A new order paid through the cashier by a buyer, or set aside when a kill interrupts it. */
  async payNew(random: Random): Promise<void> {
    const { world, buyers } = this.#deps;
    if (buyers.length === 0) return;
    const merchant = random.pick(world.merchants);
    const method: PagePayMethod = random.chance(0.5) ? 'alipay.trade.page.pay' : 'alipay.trade.wap.pay';
    const total = random.int(20, 600) * 100 + random.int(0, 99);
    const outTradeNo = `CHAOSCASHIER${Date.now()}${String(this.#serial++).padStart(5, '0')}`;
    const cashier = await this.#open(merchant, method, outTradeNo, total, random);
    if (!cashier) return;
    const payment: CashierPayment = {
      merchant,
      buyer: random.pick(buyers),
      method,
      outTradeNo,
      total,
      cashier,
      browser: new CashierBrowser(this.#deps.origin),
      choice: null,
      fellBack: false,
    };
    await this.#drive(payment, random);
  }

  /** A payment a kill interrupted, taken up again from the same browser session. */
  async resume(random: Random): Promise<void> {
    if (this.#interrupted.length === 0) return;
    const [payment] = this.#interrupted.splice(random.int(0, this.#interrupted.length - 1), 1);
    if (payment) await this.#drive(payment, random);
  }

  get interrupted(): number {
    return this.#interrupted.length;
  }

  #violation(invariant: Invariant, payment: Pick<CashierPayment, 'method' | 'outTradeNo' | 'total'>, detail: string): void {
    this.#deps.violations.record(invariant, `${payment.method} ${payment.outTradeNo} ${yuan(payment.total)}: ${detail}`);
  }

  /** The merchant's request, sent as the browser follows it: the cashier's path, or null when there is none. */
  async #open(merchant: ChaosMerchant, method: PagePayMethod, outTradeNo: string, total: Fen, random: Random): Promise<string | null> {
    const { figures } = this.#deps;
    const url = merchant.sdk.pageExecute(method, 'GET', {
      bizContent: { out_trade_no: outTradeNo, total_amount: yuan(total), subject: 'chaos cashier', product_code: PRODUCT_CODES[method] },
      returnUrl: this.#deps.returnUrl,
      ...(random.chance(0.85) && { notifyUrl: this.#deps.notifyUrl }),
    });
    figures.countSent(method);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS) });
    } catch {
      // No order, or one nobody will pay: neither moves money.
      figures.countUnknown(method);
      return null;
    }
    const html = await response.text();
    const location = response.headers.get('location');
    const order = { method, outTradeNo, total };
    if (response.status === 302 && location?.startsWith('/cashier/pay/')) {
      figures.countAcknowledged(method);
      return location;
    }
    const errorCode = /id="error-code">([^<]+)</.exec(html)?.[1];
    if (response.status >= 500) this.#violation('no unexpected errors (20000, HTTP 5xx)', order, `the gateway answered ${response.status}`);
    else this.#violation('cashier answered as expected', order, `the gateway answered ${response.status} ${errorCode ?? html.slice(0, 200)}`);
    return null;
  }

  /** Takes the payment as far as it goes: paid (acknowledged), interrupted (set aside), or given up. */
  async #drive(payment: CashierPayment, random: Random): Promise<void> {
    for (let step = 0; step < MOST_STEPS; step++) {
      const outcome = await this.#step(payment, random);
      if (outcome === 'interrupted') {
        this.#interrupted.push(payment);
        return;
      }
      if (outcome !== 'again') return;
    }
    this.#violation('cashier answered as expected', payment, `not paid after ${MOST_STEPS} pages and forms`);
  }

  /** One visit to the cashier and what the page it shows asks for. */
  async #step(payment: CashierPayment, random: Random): Promise<Step> {
    const page = await payment.browser.get(payment.cashier);
    if (page.kind === 'unknown') return 'interrupted';
    if (page.status >= 500) return this.#unexpected(payment, 'no unexpected errors (20000, HTTP 5xx)', `GET the cashier → ${page.status}`);
    switch (cashierPageOf(page.html)) {
      case 'login':
        return this.#logIn(payment, page.html);
      case 'choice': {
        const choicePage = choicePageOf(page.html);
        if (!choicePage) return this.#unexpected(payment, 'cashier answered as expected', 'a choice page without its form');
        return this.#pay(payment, choicePage, random);
      }
      case 'paid':
        return this.#acknowledgeFromPaidPage(payment, page.html);
      default:
        return this.#unexpected(payment, 'cashier answered as expected', `GET the cashier → ${page.status} ${cashierPageOf(page.html)} page`);
    }
  }

  #unexpected(payment: CashierPayment, invariant: Invariant, detail: string): Step {
    this.#violation(invariant, payment, detail);
    return 'given_up';
  }

  async #logIn(payment: CashierPayment, html: string): Promise<Step> {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!csrf) return this.#unexpected(payment, 'cashier answered as expected', 'a login page without its CSRF token');
    const { buyer } = payment;
    const answer = await payment.browser.post(`${payment.cashier}/login`, { _csrf: csrf, logon_id: buyer.logonId, login_password: buyer.loginPassword });
    if (answer.kind === 'unknown') return 'interrupted';
    if (answer.status === 303) return 'again';
    // The session (or its CSRF token) is gone: a new session, as a browser opening the link again has.
    if (answer.status === 403) {
      payment.browser.forget();
      return 'again';
    }
    const invariant = answer.status >= 500 ? 'no unexpected errors (20000, HTTP 5xx)' : 'cashier answered as expected';
    return this.#unexpected(payment, invariant, `the login answered ${answer.status} ${answer.html.slice(0, 200)}`);
  }

  async #pay(payment: CashierPayment, page: ChoicePage, random: Random): Promise<Step> {
    const { figures } = this.#deps;
    payment.choice ??= chooseOnPage(page, payment, random);
    const choice = payment.choice;
    const fields: Record<string, string> = {
      _csrf: page.csrf,
      bank_card: choice.bankCard,
      payment_password: payment.buyer.paymentPassword,
      ...Object.fromEntries(choice.channels.map((channel) => [`pay_${channel}`, '1'])),
      ...Object.fromEntries(choice.voucherIds.map((id) => [`coupon_${id}`, '1'])),
    };
    figures.countSent(CASHIER_PAY);
    const answer = await payment.browser.post(`${payment.cashier}/pay`, fields);
    if (answer.kind === 'unknown') {
      figures.countUnknown(CASHIER_PAY);
      return 'interrupted';
    }
    if (answer.status === 302 && answer.location) return this.#acknowledgeReturn(payment, answer.location, 'return');
    // Not logged in any more, or the order paid meanwhile (by this very payment, before a lost answer): look again.
    if (answer.status === 303) return 'again';
    if (answer.status === 403) {
      payment.browser.forget();
      return 'again';
    }
    if (answer.status === 400) {
      // Refused (what the choice held was spent by another payment of the buyer's, or a coupon no longer applies):
      // the buyer chooses again, once, what can pay whatever happened.
      const refused = choicePageOf(answer.html);
      figures.countRejected(`cashier: ${refusalKind(refused?.error ?? null)}`);
      if (payment.fellBack) return 'given_up';
      payment.fellBack = true;
      payment.choice = refused ? fallbackChoice(refused) : null;
      return 'again';
    }
    const invariant = answer.status >= 500 ? 'no unexpected errors (20000, HTTP 5xx)' : 'cashier answered as expected';
    return this.#unexpected(payment, invariant, `the payment answered ${answer.status} ${answer.html.slice(0, 300)}`);
  }

  #acknowledgeFromPaidPage(payment: CashierPayment, html: string): Step {
    const link = paidReturnLinkOf(html);
    if (!link) return this.#unexpected(payment, 'cashier answered as expected', 'the paid page has no link back to return_url');
    return this.#acknowledgeReturn(payment, link, 'paid_page');
  }

  /** The sync return must be the order's, signed by the platform; then the payment is acknowledged. */
  #acknowledgeReturn(payment: CashierPayment, location: string, how: 'return' | 'paid_page'): Step {
    const { figures, book, world } = this.#deps;
    const back = new URL(location);
    const params = Object.fromEntries(back.searchParams);
    const expected: Record<string, string> = {
      method: `${payment.method}.return`,
      out_trade_no: payment.outTradeNo,
      total_amount: yuan(payment.total),
      seller_id: payment.merchant.pid,
      app_id: payment.merchant.appId,
    };
    const wrong = Object.entries(expected).filter(([key, value]) => params[key] !== value);
    const tradeNo = params.trade_no;
    if (!location.startsWith(this.#deps.returnUrl) || !payment.merchant.sdk.checkNotifySign(params) || wrong.length > 0 || !tradeNo) {
      this.#violation(
        'replies signed and well-formed',
        payment,
        `the sync return ${location.slice(0, 400)} (wrong: ${wrong.map(([k]) => k).join(', ') || 'none'})`,
      );
      return 'given_up';
    }
    figures.countAcknowledged(CASHIER_PAY);
    book.acknowledge({
      sellerPid: payment.merchant.pid,
      outTradeNo: payment.outTradeNo,
      tradeNo,
      total: payment.total,
      buyerUserId: payment.buyer.buyerUserId,
      how,
    });
    world.adopt(payment.merchant, tradeNo, payment.outTradeNo, payment.total);
    return 'paid';
  }
}

/** Which refusal the choice page shows (pay-cashier-routes.ts refusalText), for the figures. */
function refusalKind(error: string | null): string {
  if (!error) return 'refused';
  if (error.includes('可用金额不足')) return 'insufficient_funds';
  if (error.includes('红包或优惠券')) return 'coupon_not_applicable';
  if (error.includes('银行卡')) return 'bank_card_not_found';
  return 'refused';
}

/**
 * What a buyer ticks: now and then a coupon or two, a random few of the channels that hold something, sometimes
 * a card — then, mostly, more channels until what is ticked covers the total (a buyer who looks at the page),
 * but now and then not (the cashier must refuse it and take nothing).
 */
function chooseOnPage(page: ChoicePage, payment: Pick<CashierPayment, 'total'>, random: Random): PaymentChoice {
  const usableCoupons = page.coupons.filter((c) => !c.disabled && (c.holds ?? 0) > 0);
  const voucherIds: string[] = [];
  let covered = 0;
  if (random.chance(0.5)) {
    for (const coupon of usableCoupons) {
      if (voucherIds.length >= 2 || !random.chance(0.4)) continue;
      // A whole-only coupon worth more than what is left to pay cannot be used: a buyer would not pick it.
      if (coupon.wholeOnly && (coupon.holds ?? 0) > payment.total - covered) continue;
      voucherIds.push(coupon.voucherId);
      covered += coupon.holds ?? 0;
    }
  }
  const holding = page.channels.filter((c) => !c.disabled && (c.holds ?? 0) > 0);
  const channels: string[] = [];
  for (const channel of holding) {
    if (random.chance(0.45)) {
      channels.push(channel.name.slice('pay_'.length));
      covered += channel.holds ?? 0;
    }
  }
  const cards = page.cards.filter((c) => !c.disabled);
  let bankCard = '';
  if (cards.length > 0 && random.chance(0.3)) {
    const card = random.pick(cards);
    bankCard = card.value;
    covered += card.holds ?? Number.MAX_SAFE_INTEGER;
  }
  if (covered < payment.total && random.chance(0.9)) {
    for (const channel of holding) {
      const name = channel.name.slice('pay_'.length);
      if (covered >= payment.total || channels.includes(name)) continue;
      channels.push(name);
      covered += channel.holds ?? 0;
    }
    if (covered < payment.total && bankCard === '') bankCard = alwaysPayingCard(page) ?? '';
  }
  return { channels: channels.length > 0 || bankCard !== '' || voucherIds.length > 0 ? channels : ['ALIPAYACCOUNT'], bankCard, voucherIds };
}

/** After a refusal: every channel that holds something and the card the bank always pays — no coupon. */
function fallbackChoice(page: ChoicePage): PaymentChoice {
  return {
    channels: page.channels.filter((c) => !c.disabled && (c.holds ?? 0) > 0).map((c) => c.name.slice('pay_'.length)),
    bankCard: alwaysPayingCard(page) ?? '',
    voucherIds: [],
  };
}

/** The card shown without an amount: the simulated bank always pays it. */
function alwaysPayingCard(page: ChoicePage): string | null {
  return page.cards.find((c) => !c.disabled && c.holds === null)?.value ?? null;
}
