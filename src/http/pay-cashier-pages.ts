/**
 * The buyer's cashier pages of page.pay and wap.pay: the order (what, how much, to whom), the login, the choice
 * of channels and coupons with the payment password, and the pages of an order that can no longer be paid.
 * Server-rendered Chinese HTML without JavaScript, framed as the seller's pages are (cashier-pages.ts): a PC's
 * layout for page.pay, a phone's (narrow, one column) for wap.pay. Every value is escaped; forms carry the
 * session's CSRF token.
 */
import { alert, backLink, escapeHtml, layout, type PageFrame } from './cashier-pages.js';

const STEPS = ['登录账户', '选择付款方式', '付款完成'];

/** What every page of the order shows. */
export interface OrderView {
  /** A phone's layout (wap.pay, a QR code, a mini program's order) rather than a PC's (page.pay). */
  wap: boolean;
  /** The product the order was made with, as the cashier's header names it. */
  product: string;
  merchantName: string;
  subject: string;
  body: string | null;
  outTradeNo: string;
  totalAmount: string;
  /** Where "cancel" goes: quit_url (wap), else return_url; null for none. */
  cancelUrl: string | null;
}

function frame(view: OrderView, step?: number): PageFrame {
  return {
    product: view.product,
    logo: '付',
    secure: '安全连接',
    steps: STEPS,
    wap: view.wap,
    ...(step !== undefined && { step }),
  };
}

function orderSummary(view: OrderView): string {
  return `<div class="order">
  <div class="amount" id="amount"><small>¥</small>${escapeHtml(view.totalAmount)}</div>
  <dl class="kv">
    <dt>商品名称</dt><dd id="subject">${escapeHtml(view.subject)}</dd>
    ${view.body ? `<dt>商品描述</dt><dd>${escapeHtml(view.body)}</dd>` : ''}
    <dt>收款方</dt><dd id="merchant">${escapeHtml(view.merchantName)}</dd>
    <dt>商户订单号</dt><dd class="mono">${escapeHtml(view.outTradeNo)}</dd>
  </dl>
</div>`;
}

const ORDER_STYLE = `<style>
.order .amount{font-size:30px;font-weight:600;color:#f5222d;margin:0 0 10px}.order .amount small{font-size:18px;margin-right:2px}
fieldset{border:1px solid #e5e8ef;border-radius:8px;padding:8px 14px 4px;margin:0 0 16px}
legend{color:#646a73;padding:0 6px}
.choice{display:flex;align-items:center;gap:10px;padding:9px 0;border-bottom:1px solid #f0f1f5}
.choice:last-child{border-bottom:0}
.choice input{width:17px;height:17px;margin:0;flex:none}
.choice label{margin:0;flex:1;display:flex;justify-content:space-between;gap:12px;flex-wrap:wrap}
.choice .hold{color:#8a919f;font-variant-numeric:tabular-nums;margin-left:auto}
.choice.off label{color:#b5bac3}
.tag{display:inline-block;font-size:12px;border-radius:3px;padding:0 6px;margin-left:6px;background:#fff1f0;color:#cf1322;border:1px solid #ffccc7}
.who{color:#646a73;margin:0 0 14px}
</style>`;

function cancelLink(view: OrderView): string {
  return backLink(view.cancelUrl, '取消付款，返回商户');
}

export function payLoginPage(view: OrderView & { action: string; csrf: string; logonId?: string; error?: string }): string {
  return layout(
    '登录付款',
    `${ORDER_STYLE}<section class="card">
  <h1>登录支付宝账户付款</h1>
  <p class="sub">请使用买家账户登录，核对订单后付款。</p>
  ${orderSummary(view)}
  ${alert('error', view.error)}
  <form method="post" action="${escapeHtml(view.action)}" autocomplete="off">
    <input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">
    <div class="field"><label for="logon_id">账户名</label><input type="text" id="logon_id" name="logon_id" value="${escapeHtml(view.logonId ?? '')}" placeholder="邮箱或手机号" required autofocus></div>
    <div class="field"><label for="login_password">登录密码</label><input type="password" id="login_password" name="login_password" required></div>
    <div class="actions"><button class="primary" type="submit" id="login">登录</button>${cancelLink(view)}</div>
  </form>
</section>`,
    frame(view, 0),
  );
}

/** One channel the buyer may tick, with what it holds. */
export interface ChannelOption {
  /** The form field's name. */
  name: string;
  /** The value sent when ticked. */
  value: string;
  label: string;
  holds: string;
  checked: boolean;
  /** Holds nothing: shown, not offered. */
  disabled: boolean;
  /** A radio (the bank cards: one per payment) rather than a checkbox. */
  radio?: boolean;
}

export function payChoicePage(
  view: OrderView & {
    action: string;
    csrf: string;
    buyerLogonId: string;
    channels: ChannelOption[];
    cards: ChannelOption[];
    coupons: ChannelOption[];
    error?: string;
    /** The payment password is locked: say until when, and offer no password field. */
    lockedUntil?: string;
  },
): string {
  const option = (o: ChannelOption) => {
    const id = `${o.name}-${o.value}`.replace(/[^A-Za-z0-9_-]/g, '_');
    return `<div class="choice${o.disabled ? ' off' : ''}"><input type="${o.radio ? 'radio' : 'checkbox'}" id="${escapeHtml(id)}" name="${escapeHtml(o.name)}" value="${escapeHtml(o.value)}"${o.checked ? ' checked' : ''}${o.disabled ? ' disabled' : ''}><label for="${escapeHtml(id)}"><span>${escapeHtml(o.label)}</span><span class="hold">${escapeHtml(o.holds)}</span></label></div>`;
  };
  const cards =
    view.cards.length === 0
      ? ''
      : `<fieldset id="cards"><legend>银行卡（每次限一张）</legend>${[{ name: 'bank_card', value: '', label: '不使用银行卡', holds: '', checked: !view.cards.some((c) => c.checked), disabled: false, radio: true }, ...view.cards].map(option).join('')}</fieldset>`;
  const coupons =
    view.coupons.length === 0
      ? '<p class="sub" id="no-coupons">暂无可用于本订单的红包或优惠券。</p>'
      : `<fieldset id="coupons"><legend>红包与优惠券</legend>${view.coupons.map(option).join('')}</fieldset>`;
  const password = view.lockedUntil
    ? `<div class="alert error" role="alert" id="locked">支付密码输入错误次数过多，已被锁定，请于 ${escapeHtml(view.lockedUntil)} 后再试。</div>`
    : `<div class="field"><label for="payment_password">支付密码（6 位数字）</label><input type="password" id="payment_password" name="payment_password" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required></div>`;
  return layout(
    '选择付款方式',
    `${ORDER_STYLE}<section class="card">
  <h1>选择付款方式</h1>
  <p class="who">付款账户：<span id="buyer">${escapeHtml(view.buyerLogonId)}</span></p>
  ${orderSummary(view)}
  ${alert('error', view.error)}
  <form method="post" action="${escapeHtml(view.action)}" autocomplete="off">
    <input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">
    ${coupons}
    <fieldset id="channels"><legend>付款方式（可组合使用）</legend>${view.channels.map(option).join('')}</fieldset>
    ${cards}
    ${password}
    <div class="actions">${view.lockedUntil ? '' : '<button class="primary" type="submit" id="pay">确认付款</button>'}${cancelLink(view)}</div>
  </form>
</section>`,
    frame(view, 1),
  );
}

/** An order that cannot be paid (closed, expired, locked) or is paid already. */
export function payOutcomePage(view: OrderView & { kind: 'closed' | 'login_locked' | 'paid'; returnUrl?: string | null }): string {
  const [icon, title, text] =
    view.kind === 'closed'
      ? ['bad', '订单已关闭', '该订单已关闭或已超过付款时间，无法付款。请回到商户网站重新下单。']
      : view.kind === 'login_locked'
        ? ['bad', '登录已锁定', '登录密码错误次数过多，本订单已不能登录付款。请回到商户网站重新下单。']
        : ['ok', '付款成功', '该订单已付款成功。'];
  const back = backLink(view.kind === 'paid' ? (view.returnUrl ?? null) : view.cancelUrl);
  return layout(
    title,
    `${ORDER_STYLE}<section class="card">
  <div class="result">
    <div class="icon ${icon}">${icon === 'ok' ? '✓' : '!'}</div>
    <h1 id="outcome">${title}</h1>
    <p class="sub">${text}</p>
  </div>
  ${orderSummary(view)}
  <div class="actions" style="justify-content:center">${back}</div>
</section>`,
    frame(view, view.kind === 'paid' ? 2 : undefined),
  );
}

export function payNotFoundPage(): string {
  return layout(
    '页面不存在',
    `<section class="card"><div class="result"><div class="icon mid">?</div><h1>订单不存在或页面已过期</h1>
<p class="sub">请回到商户网站重新发起付款。</p></div></section>`,
    { product: '收银台', logo: '付', secure: '安全连接' },
  );
}
