/**
 * The seller's pages of the batch refund with password, and the MAPI error page. Server-rendered HTML in
 * Chinese that works without JavaScript. Every value is escaped; forms carry the session's CSRF token.
 */
import type { Batch } from '../interfaces.js';
import type { MapiError } from '../protocol/mapi/mapi-errors.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f3f5f9;color:#1f2329;font:14px/1.6 -apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif}
header{background:#fff;border-bottom:1px solid #e5e8ef}
.bar{max-width:920px;margin:0 auto;padding:14px 20px;display:flex;align-items:center;justify-content:space-between}
.brand{display:flex;align-items:center;gap:10px;font-size:18px;font-weight:600;color:#1677ff;text-decoration:none}
.logo{width:32px;height:32px;border-radius:8px;background:#1677ff;color:#fff;display:grid;place-items:center;font-size:18px}
.brand small{color:#8a919f;font-weight:400;font-size:13px;border-left:1px solid #dcdfe6;padding-left:10px}
.secure{color:#52c41a;font-size:13px}
main{max-width:920px;margin:28px auto;padding:0 20px}
.steps{display:flex;gap:0;margin:0 0 20px;padding:0;list-style:none;counter-reset:s}
.steps li{flex:1;text-align:center;color:#a0a7b4;position:relative;padding-top:30px;font-size:13px}
.steps li::before{counter-increment:s;content:counter(s);position:absolute;top:0;left:50%;transform:translateX(-50%);width:24px;height:24px;border-radius:50%;background:#dfe3ea;color:#fff;line-height:24px;font-size:12px}
.steps li.on{color:#1677ff;font-weight:600}.steps li.on::before{background:#1677ff}
.steps li.done{color:#52c41a}.steps li.done::before{background:#52c41a;content:"✓"}
.card{background:#fff;border-radius:10px;box-shadow:0 2px 10px rgba(31,35,41,.06);padding:28px 32px;margin-bottom:20px}
h1{font-size:20px;margin:0 0 6px}
.sub{color:#8a919f;margin:0 0 20px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0 0 18px}
.kv dt{color:#8a919f}.kv dd{margin:0}
table{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th{background:#f7f8fa;color:#646a73;font-weight:500;text-align:left;padding:10px 12px;border-bottom:1px solid #e5e8ef}
td{padding:10px 12px;border-bottom:1px solid #f0f1f5;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.mono{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
tfoot td{font-weight:600;background:#fafbfc}
.refund{color:#f5222d;font-weight:600}
.warn{color:#fa8c16}
label{display:block;margin:0 0 6px;color:#3b4049}
input[type=password],input[type=text]{width:100%;max-width:320px;padding:10px 12px;border:1px solid #d0d5dd;border-radius:6px;font-size:15px}
input:focus{outline:none;border-color:#1677ff;box-shadow:0 0 0 3px rgba(22,119,255,.15)}
.field{margin:0 0 18px}
.actions{display:flex;gap:12px;align-items:center;margin-top:8px}
button,.button{appearance:none;border:0;border-radius:6px;padding:10px 28px;font-size:15px;cursor:pointer;text-decoration:none;display:inline-block}
.primary{background:#1677ff;color:#fff}.primary:hover{background:#0958d9}
.secondary{background:#fff;color:#3b4049;border:1px solid #d0d5dd}
.alert{border-radius:6px;padding:10px 14px;margin:0 0 18px}
.alert.error{background:#fff1f0;border:1px solid #ffccc7;color:#cf1322}
.alert.info{background:#e6f4ff;border:1px solid #91caff;color:#0958d9}
.result{text-align:center;padding:20px 0 8px}
.icon{width:64px;height:64px;border-radius:50%;display:grid;place-items:center;margin:0 auto 14px;font-size:34px;color:#fff}
.icon.ok{background:#52c41a}.icon.bad{background:#f5222d}.icon.mid{background:#faad14}
.code{font-family:SFMono-Regular,Menlo,Consolas,monospace;background:#f7f8fa;border:1px solid #e5e8ef;border-radius:4px;padding:2px 8px}
footer{text-align:center;color:#a0a7b4;font-size:12px;margin:30px 0}
`;

const STEPS = ['登录账户', '核对退款', '提交完成'];

function steps(labels: readonly string[], current: number): string {
  const items = labels.map((label, i) => `<li class="${i < current ? 'done' : i === current ? 'on' : ''}">${label}</li>`);
  return `<ol class="steps">${items.join('')}</ol>`;
}

/** How a page is framed: the product in the header, the steps, and whether it is laid out for a phone. */
export interface PageFrame {
  /** The step shown as current, if the page is one of the steps. */
  step?: number;
  /** (Default: the batch refund's steps) */
  steps?: readonly string[];
  /** The product named in the header. (Default: 即时到账批量退款) */
  product?: string;
  /** The logo's character. (Default: 退) */
  logo?: string;
  /** What the header's padlock says. (Default: 安全连接 · 有密退款) */
  secure?: string;
  /** Laid out for a phone-sized screen (wap.pay's cashier). (Default: false, a PC's) */
  wap?: boolean;
}

/** The narrow layout of the phone cashier: one column, full-width controls, less padding. */
const WAP_STYLE = `
body.wap{font-size:15px}
.wap .bar{padding:10px 14px}.wap .brand small{display:none}.wap .secure{font-size:12px}
.wap main{margin:12px auto;padding:0 10px;max-width:520px}
.wap .card{padding:18px 16px;border-radius:8px}
.wap .kv{grid-template-columns:1fr;gap:2px}.wap .kv dd{margin-bottom:6px}
.wap input[type=password],.wap input[type=text]{max-width:none;font-size:16px}
.wap .actions{flex-direction:column;align-items:stretch}.wap button,.wap .button{width:100%;text-align:center;padding:12px}
.wap .steps li{font-size:12px}
`;

export function layout(title: string, body: string, frame: PageFrame = {}): string {
  const { step, product = '即时到账批量退款', logo = '退', secure = '安全连接 · 有密退款', wap = false } = frame;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - tuikuan 收银台</title>
<style>${STYLE}${wap ? WAP_STYLE : ''}</style>
</head>
<body${wap ? ' class="wap"' : ''}>
<header><div class="bar"><span class="brand"><span class="logo">${escapeHtml(logo)}</span>tuikuan<small>${escapeHtml(product)}</small></span><span class="secure"><svg width="12" height="14" viewBox="0 0 12 14" aria-hidden="true"><rect x="1" y="6" width="10" height="8" rx="1.5" fill="#52c41a"/><path d="M3.5 6V4a2.5 2.5 0 0 1 5 0v2" stroke="#52c41a" stroke-width="1.6" fill="none"/></svg> ${escapeHtml(secure)}</span></div></header>
<main>
${step === undefined ? '' : steps(frame.steps ?? STEPS, step)}
${body}
</main>
<footer>tuikuan — 兼容支付宝的退款网关 · 本页面仅用于测试与自建退款核心</footer>
</body>
</html>`;
}

/** Only http(s) links are offered back to the merchant's site. */
export function backLink(url: string | null, label = '返回商户网站'): string {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return `<a class="button secondary" id="back" href="${escapeHtml(url)}">${label}</a>`;
}

export function alert(kind: 'error' | 'info', message: string | undefined): string {
  return message ? `<div class="alert ${kind}" role="alert">${escapeHtml(message)}</div>` : '';
}

/** The gateway's error page, as Alipay shows it: the code, what it means, and where to go. */
function errorPage(code: string, meaning: string, returnUrl: string | null, frame: PageFrame, meaningLabel = ''): string {
  return layout(
    `错误代码 ${code}`,
    `<section class="card">
  <div class="result">
    <div class="icon bad">!</div>
    <h1>请求出错了</h1>
    <p class="sub">错误代码 <span class="code" id="error-code">${escapeHtml(code)}</span> ${meaningLabel}<span id="error-reason">${escapeHtml(meaning)}</span></p>
    <p>您访问的请求参数有误，无法继续。请回到请求来源地，重新发起请求。</p>
  </div>
  <div class="actions" style="justify-content:center">${backLink(returnUrl, '回到请求来源地')}</div>
</section>`,
    { secure: '安全连接', ...frame },
  );
}

/** The MAPI error page. */
export function mapiErrorPage(error: MapiError, returnUrl: string | null): string {
  return errorPage(error.code, error.meaning, returnUrl, { product: '即时到账批量退款', secure: '安全连接 · 有密退款' });
}

/** A page API's error page (page.pay, wap.pay): the sub_code without `isv.`, and its sub_msg (protocol-notes §12.4). */
export function openApiErrorPage(code: string, message: string, returnUrl: string | null): string {
  return errorPage(code, message, returnUrl, { product: '收银台', logo: '付' }, '错误原因：');
}

export interface BatchSummary {
  batch: Batch;
  sellerName: string;
  sellerEmail: string;
  totalAmount: string;
}

function summary(view: BatchSummary): string {
  return `<dl class="kv">
  <dt>卖家账户</dt><dd>${escapeHtml(view.sellerName)}（${escapeHtml(view.sellerEmail)}）</dd>
  <dt>退款批次号</dt><dd class="mono">${escapeHtml(view.batch.batchNo)}</dd>
  <dt>退款笔数</dt><dd>${view.batch.batchNum} 笔</dd>
  <dt>退款总金额</dt><dd class="refund">¥ ${escapeHtml(view.totalAmount)}</dd>
</dl>`;
}

export function loginPage(view: BatchSummary & { action: string; csrf: string; error?: string }): string {
  return layout(
    '登录',
    `<section class="card">
  <h1>登录支付账户</h1>
  <p class="sub">商户发起了一笔批量退款，需要卖家登录后核对并确认。</p>
  ${summary(view)}
  ${alert('error', view.error)}
  <form method="post" action="${escapeHtml(view.action)}" autocomplete="off">
    <input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">
    <div class="field"><label>账户名</label><input type="text" value="${escapeHtml(view.sellerEmail)}" readonly></div>
    <div class="field"><label for="login_password">登录密码</label><input type="password" id="login_password" name="login_password" required autofocus></div>
    <div class="actions"><button class="primary" type="submit" id="login">登录</button></div>
  </form>
</section>`,
    { step: 0 },
  );
}

export interface ReviewLine {
  tradeNo: string;
  paid: string | null;
  refunded: string | null;
  amount: string;
  reason: string;
}

export function reviewPage(view: BatchSummary & { confirmAction: string; cancelAction: string; csrf: string; lines: ReviewLine[]; error?: string }): string {
  const rows = view.lines
    .map(
      (line, i) => `<tr>
  <td class="num">${i + 1}</td>
  <td class="mono">${escapeHtml(line.tradeNo)}</td>
  <td class="num">${line.paid === null ? '<span class="warn">交易不存在</span>' : escapeHtml(line.paid)}</td>
  <td class="num">${line.refunded === null ? '—' : escapeHtml(line.refunded)}</td>
  <td class="num refund">${escapeHtml(line.amount)}</td>
  <td>${escapeHtml(line.reason)}</td>
</tr>`,
    )
    .join('\n');
  return layout(
    '核对退款',
    `<section class="card">
  <h1>核对退款信息</h1>
  <p class="sub">请逐笔核对退款明细，确认无误后输入支付密码。退款将退回买家原支付渠道。</p>
  ${summary(view)}
  <table id="lines">
    <thead><tr><th class="num">序号</th><th>支付宝交易号</th><th class="num">付款金额（元）</th><th class="num">已退款（元）</th><th class="num">本次退款（元）</th><th>退款理由</th></tr></thead>
    <tbody>
${rows}
    </tbody>
    <tfoot><tr><td colspan="4">合计 ${view.batch.batchNum} 笔</td><td class="num refund" id="total">${escapeHtml(view.totalAmount)}</td><td></td></tr></tfoot>
  </table>
  ${alert('error', view.error)}
  <form method="post" action="${escapeHtml(view.confirmAction)}" autocomplete="off">
    <input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">
    <div class="field"><label for="payment_password">支付密码</label><input type="password" id="payment_password" name="payment_password" inputmode="numeric" required autofocus></div>
    <div class="actions"><button class="primary" type="submit" id="confirm">确认退款</button></div>
  </form>
  <form method="post" action="${escapeHtml(view.cancelAction)}" style="margin-top:12px">
    <input type="hidden" name="_csrf" value="${escapeHtml(view.csrf)}">
    <button class="secondary" type="submit" id="cancel">取消退款</button>
  </form>
</section>`,
    { step: 1 },
  );
}

/** Where the batch's outcome goes: the merchant hears of it only when the request gave a notify_url. */
function resultNotice(batch: Batch): string {
  if (!batch.notifyUrl) return '商户未设置通知地址，处理结果不会通知商户。';
  return batch.status === 'completed' ? '处理结果已通知商户。' : '处理结果将通知商户。';
}

export function outcomePage(view: BatchSummary & { returnUrl: string | null; lockedAtLogin: boolean }): string {
  const { batch } = view;
  const [icon, title, text] =
    batch.status === 'cancelled'
      ? ['mid', '退款已取消', '本批次退款已取消，没有任何款项被退回。']
      : batch.status === 'locked'
        ? ['bad', '退款批次已锁定', `${view.lockedAtLogin ? '登录密码' : '支付密码'}错误次数过多，本批次已锁定，未退回任何款项。请商户重新发起退款。`]
        : batch.status === 'completed'
          ? ['ok', '退款已处理', `本批次已处理完毕：成功 ${batch.successNum ?? 0} 笔，共 ${batch.batchNum} 笔。${resultNotice(batch)}`]
          : ['ok', '退款申请已提交', `退款申请已提交，正在处理中，款项将退回买家原支付渠道。${resultNotice(batch)}`];
  return layout(
    title,
    `<section class="card">
  <div class="result">
    <div class="icon ${icon}">${icon === 'ok' ? '✓' : icon === 'bad' ? '!' : '×'}</div>
    <h1 id="outcome">${title}</h1>
    <p class="sub">${text}</p>
  </div>
  ${summary(view)}
  <div class="actions" style="justify-content:center">${backLink(view.returnUrl)}</div>
</section>`,
    batch.status === 'processing' || batch.status === 'completed' ? { step: 2 } : {},
  );
}

export function notFoundPage(): string {
  return layout(
    '页面不存在',
    `<section class="card"><div class="result"><div class="icon mid">?</div><h1>退款批次不存在或已过期</h1>
<p class="sub">请回到商户网站重新发起退款。</p></div></section>`,
  );
}
