/**
 * The fuzz suite's cases (test/http/fuzz.test.ts): generators that draw what a careless, broken or hostile
 * client sends — to the OpenAPI gateway, the MAPI gateway, the cashier pages and the admin API — and the
 * functions that turn a drawn case into the bytes of a request. A case names the world it aims at by index
 * (the trade number of trade 2, the app of merchant 0), so the same seed draws the same cases on any server.
 */
import { createSign, type KeyObject } from 'node:crypto';
import fc, { type Arbitrary } from 'fast-check';
import { formatChinaDate, formatChinaTime } from '../../src/protocol/china-time.js';
import type { Seller } from './batch-flow.js';
import { sentText, type RawRequest } from './fuzz.js';
import type { MerchantKit } from './harness.js';
import { mapiSign, type MapiCharset } from './mapi-client.js';
import { timestampNow, type HandApp } from './openapi-client.js';
import { charsetBytes, formOf } from './percent-encoding.js';

// ---------------------------------------------------------------------------------------------------------
// Values that break expectations: the vocabulary every generator below draws from
// ---------------------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings a parser or a validator might trip on. */
const oddText: Arbitrary<string> = fc.constantFrom(
  '',
  ' ',
  'null',
  'undefined',
  '0',
  '-1',
  '1e3',
  '0.001',
  '1,000.00',
  '１００',
  '+1.00',
  '.5',
  '5.',
  '0x1F',
  'NaN',
  'Infinity',
  '\u0000',
  'a\u0000b',
  '\u202e退款',
  '😀',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '../../etc/passwd',
  '%00',
  '%E4%B8',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant as the literal text.
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  '\r\n',
  '\\',
  '"',
);

/** Long strings, past every field's limit (64, 256, 2048 …). */
const longText: Arbitrary<string> = fc
  .record({ unit: fc.constantFrom('a', '退', '%', '"', '\\', '9', '😀', '&'), length: fc.integer({ min: 65, max: 5000 }) })
  .map(({ unit, length }) => unit.repeat(length));

export const anyText: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: oddText },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  // Lone surrogates and control characters.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: longText },
);

/**
 * A value in biz_content. Most are JSON values; some numbers exist only as literals (1e400, thirty digits),
 * and some are references to the world's trades, resolved when the request is built.
 */
export type BizValue = { json: Json } | { literal: string } | { tradeNo: number } | { outTradeNo: number };

const numberLiteral: Arbitrary<string> = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '9007199254740993',
  '-0',
  '1E3',
  '0.000000001',
  '100.001',
  '0.1e1',
  '-0.01',
  '1.7976931348623157e309',
);

const json = (value: Json): BizValue => ({ json: value });

/** Wrong types, wrong ranges, nesting: what goes where a field's proper value should be. */
export const weirdValue: Arbitrary<BizValue> = fc.oneof(
  anyText.map(json),
  fc.constantFrom<Json>(null, true, false, 0, -1, 0.001, 1e21, 2 ** 53, -0.01, 1000.005, [], {}).map(json),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(json),
  numberLiteral.map((literal) => ({ literal })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => json(value as Json)),
  fc.array(fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }), { maxLength: 3 }).map(json),
  fc.integer({ min: 20, max: 2000 }).map((depth) => ({ literal: `${'['.repeat(depth)}${']'.repeat(depth)}` })),
);

/** Small good amounts — so that refunds succeed and money really moves — as strings and as JSON numbers. */
const goodAmount: Arbitrary<BizValue> = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('fixed', 'number', 'short'))
  .map(([fen, form]) => json(form === 'number' ? fen / 100 : form === 'short' ? String(fen / 100) : (fen / 100).toFixed(2)));

const badAmount: Arbitrary<BizValue> = fc.oneof(
  fc
    .constantFrom(
      '0',
      '0.00',
      '-1',
      '-0.01',
      '0.001',
      '1e3',
      '1E-2',
      '1.005',
      '.5',
      '5.',
      '+1',
      ' 1.00',
      '1.00 ',
      '１.00',
      '1,00',
      'NaN',
      'Infinity',
      '',
      '99999999999.99',
      '100000000000.00',
      '1000.01',
      '9'.repeat(40),
    )
    .map(json),
  numberLiteral.map((literal) => ({ literal })),
  fc.constantFrom<Json>(0, -1, 1e3, 0.001, 1e21, 2 ** 53, null, true, [], {}, ['1.00']).map(json),
);

/** Timestamps that are not `yyyy-MM-dd HH:mm:ss`, or are but name no real moment. */
const badTimestamp: Arbitrary<string> = fc.constantFrom(
  '',
  '2026-13-01 00:00:00',
  '2026-02-30 12:00:00',
  '1970-01-01 00:00:00',
  '9999-12-31 23:59:59',
  '0000-00-00 00:00:00',
  '2026-01-01T00:00:00Z',
  '2026-01-01 24:00:00',
  '2026-1-1 1:1:1',
  '1700000000',
  'now',
  '２０２６-01-01 00:00:00',
  '2026-01-01 00:00:00.123',
  ' 2026-01-01 00:00:00',
);

/** notify_url values that are not an absolute http(s) URL of at most 256 characters. */
const badUrl: Arbitrary<string> = fc.constantFrom(
  'file:///etc/passwd',
  'not a url',
  `http://${'a'.repeat(5000)}`,
  'javascript:alert(1)',
  'gopher://127.0.0.1:6379/_FLUSHALL',
  '//example.com/notify',
  'http://[::1',
  'http://user:pass@10.0.0.1/',
  'https://例子.测试/通知',
  'https://example.com/notify?x=1&y=2',
  '',
);

/** Where a flaw is put into an encoded form: a lone `%`, bad hex, a cut UTF-8 sequence, raw bytes. */
export type Flaw = { kind: 'none' } | { kind: 'insert'; at: number; text: string } | { kind: 'plus-for-space' } | { kind: 'double-encode'; at: number };

const flaw: Arbitrary<Flaw> = fc.oneof(
  { weight: 24, arbitrary: fc.constant<Flaw>({ kind: 'none' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      // Raw bytes 0x80–0xFF travel as themselves (latin1), so a form can carry invalid UTF-8 or GBK.
      text: fc.constantFrom('%', '%z', '%zz', '%E4%B8', '%C0%AF', '%FF', '%00', '%u4E00', '&', '=', '&&', '+', '%%', '\xff\xfe', '\x80', '\xe4\xb8', '\xd0'),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Flaw>({ kind: 'plus-for-space' }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('double-encode' as const), at: fc.nat() }) },
);

/**
 * Raw bytes 0x80–0xFF are form bytes in a body, but no HTTP client puts them in a request line unescaped:
 * there they go percent-encoded (which still decodes to invalid UTF-8 or GBK). The request line with raw bytes
 * has a rule of its own below.
 */
function inUrl(f: Flaw): Flaw {
  return f.kind === 'insert' ? { ...f, text: f.text.replace(/[\u0080-\u00ff]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`) } : f;
}

function applyFlaw(form: string, f: Flaw): string {
  switch (f.kind) {
    case 'none':
      return form;
    case 'insert': {
      const at = f.at % (form.length + 1);
      return form.slice(0, at) + f.text + form.slice(at);
    }
    case 'plus-for-space':
      return form.replaceAll('%20', '+');
    case 'double-encode': {
      const at = form.indexOf('%', f.at % (form.length + 1));
      return at === -1 ? form : `${form.slice(0, at)}%25${form.slice(at + 1)}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// OpenAPI requests: a world to aim at, cases, and how a case becomes bytes
// ---------------------------------------------------------------------------------------------------------

/** A trade of the world a fuzz case aims at. */
export interface WorldTrade {
  tradeNo: string;
  outTradeNo: string;
}

export const METHODS = [
  'alipay.trade.refund',
  'alipay.trade.refund.apply',
  'alipay.trade.fastpay.refund.query',
  'alipay.trade.pay',
  'alipay.trade.query',
  'alipay.trade.precreate',
  'alipay.trade.create',
] as const;
export type MethodName = (typeof METHODS)[number];

export interface GatewayWorld {
  /** [0] a rich merchant's app, [1] a merchant with almost no balance (refunds fail, applies wait). */
  apps: readonly [HandApp, HandApp];
  /** A key no app registered. */
  stranger: KeyObject;
  /** Lets apps[0] act for apps[1]'s merchant. */
  authToken: string;
  trades: readonly WorldTrade[];
}

type Field = readonly [string, BizValue];
type BizSpec = { fields: readonly Field[] } | { text: string };

/** A public parameter's value: text, or the world's app ids and token, resolved when the request is built. */
type ParamValue = { text: string } | { app: 0 | 1 } | { authToken: true };

type ParamEdit =
  | { kind: 'drop'; key: string }
  | { kind: 'set'; key: string; value: ParamValue }
  /** Another occurrence, before (the server reads the first) or after the existing one. */
  | { kind: 'duplicate'; key: string; value: ParamValue; first: boolean };

type ContentTypeChoice = 'form' | 'form-bare' | 'form-upper' | 'form-other-charset' | 'json' | 'text' | 'multipart' | 'none' | 'octet';

export interface OpenApiCase {
  app: 0 | 1;
  method: MethodName;
  charset: 'utf-8' | 'GBK' | 'gb2312';
  signType: 'RSA2' | 'RSA';
  notifyUrl: boolean;
  authToken: boolean;
  biz: BizSpec;
  /** Changes made before signing: the request is still validly signed. */
  edits: readonly ParamEdit[];
  signing: 'sign' | 'stranger' | 'none';
  /** Changes made after signing: the signature no longer matches. */
  tamper: readonly ParamEdit[];
  flaw: Flaw;
  how: 'GET' | 'POST' | 'SPLIT' | 'BOTH';
  contentType: ContentTypeChoice;
}

function optionalField(name: string, value: Arbitrary<BizValue>, freq: number): Arbitrary<Field[]> {
  // fast-check leaves the field out once in `freq` times.
  return fc.option(value, { freq }).map((v) => (v === null ? [] : [[name, v] as const]));
}

/** trade_no, out_trade_no, both (which must agree), or neither; mostly the first four trades, which can be refunded. */
function tradeReference(trades: number): Arbitrary<Field[]> {
  const index = fc.oneof({ weight: 3, arbitrary: fc.nat(3) }, { weight: 2, arbitrary: fc.nat(trades - 1) });
  return fc.oneof(
    { weight: 5, arbitrary: index.map((i): Field[] => [['trade_no', { tradeNo: i }]]) },
    { weight: 4, arbitrary: index.map((i): Field[] => [['out_trade_no', { outTradeNo: i }]]) },
    {
      weight: 1,
      arbitrary: fc.tuple(index, index).map(([i, j]): Field[] => [
        ['trade_no', { tradeNo: i }],
        ['out_trade_no', { outTradeNo: j }],
      ]),
    },
    { weight: 1, arbitrary: fc.constant<Field[]>([]) },
  );
}

/** A small set, so that repeats, discordant repeats and apply-then-refund pairs happen; and fresh ones. */
const requestNo: Arbitrary<BizValue> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10').map(json) },
  { weight: 2, arbitrary: fc.nat(100_000).map((n) => json(`U${n}`)) },
);

const queryOptions: Arbitrary<BizValue> = fc
  .subarray([
    'refund_detail_item_list',
    'gmt_refund_pay',
    'deposit_back_info',
    'deposit_back_info_list',
    'refund_voucher_detail_list',
    'voucher_detail_list',
    'fund_bill_list',
    'nonsense',
  ])
  .map(json);

/** A method's biz_content as a careful merchant writes it: the fields the method takes, with good values. */
function goodBizFields(method: MethodName, trades: number): Arbitrary<Field[]> {
  const parts: Arbitrary<Field[]>[] = (() => {
    switch (method) {
      case 'alipay.trade.refund':
      case 'alipay.trade.refund.apply':
        return [
          tradeReference(trades),
          goodAmount.map((amount): Field[] => [['refund_amount', amount]]),
          optionalField('out_request_no', requestNo, 8),
          optionalField('refund_reason', fc.constantFrom('协商退款', 'refund', '').map(json), 2),
          optionalField('query_options', queryOptions, 3),
        ];
      case 'alipay.trade.fastpay.refund.query':
        return [tradeReference(trades), optionalField('out_request_no', requestNo, 5), optionalField('query_options', queryOptions, 2)];
      case 'alipay.trade.query':
        return [tradeReference(trades), optionalField('query_options', queryOptions, 2)];
      case 'alipay.trade.pay':
        return [
          fc
            .oneof(
              { weight: 4, arbitrary: fc.nat(60).map((i) => json(`FZPAY${i}`)) },
              { weight: 1, arbitrary: fc.nat(trades - 1).map((i): BizValue => ({ outTradeNo: i })) },
            )
            .map((v): Field[] => [['out_trade_no', v]]),
          optionalField('scene', fc.constantFrom('bar_code', 'wave_code').map(json), 3),
          fc.constant<Field[]>([['auth_code', json('286648395128379123')]]),
          fc.constantFrom('测试商品', 'Iphone6 16G').map((subject): Field[] => [['subject', json(subject)]]),
          goodAmount.map((amount): Field[] => [['total_amount', amount]]),
          optionalField('query_options', queryOptions, 4),
        ];
      case 'alipay.trade.precreate':
      case 'alipay.trade.create':
        return [
          fc.nat(60).map((i): Field[] => [['out_trade_no', json(`FZ${method === 'alipay.trade.create' ? 'CR' : 'QR'}${i}`)]]),
          fc.constantFrom('测试商品', 'Iphone6 16G').map((subject): Field[] => [['subject', json(subject)]]),
          goodAmount.map((amount): Field[] => [['total_amount', amount]]),
          optionalField('timeout_express', fc.constantFrom('5m', '1c', '2h', '15d').map(json), 3),
          optionalField('enable_pay_channels', fc.constantFrom('balance', 'balance,coupon', 'pcredit,moneyFund').map(json), 4),
          optionalField('passback_params', fc.constantFrom('a%3D1', 'order=1&x=2').map(json), 3),
          ...(method === 'alipay.trade.create' ? [fc.constantFrom('2088621000000101', '2088999999999999').map((id): Field[] => [['buyer_id', json(id)]])] : []),
        ];
    }
  })();
  return fc.tuple(...parts).map((lists) => lists.flat());
}

/** The fields each method reads: what a mutation aims at. */
const BIZ_FIELDS: Record<MethodName, readonly string[]> = {
  'alipay.trade.refund': [
    'trade_no',
    'out_trade_no',
    'refund_amount',
    'out_request_no',
    'refund_reason',
    'query_options',
    'refund_currency',
    'goods_detail',
    'org_pid',
  ],
  'alipay.trade.refund.apply': [
    'trade_no',
    'out_trade_no',
    'refund_amount',
    'out_request_no',
    'refund_reason',
    'query_options',
    'refund_currency',
    'refund_royalty_parameters',
  ],
  'alipay.trade.fastpay.refund.query': ['trade_no', 'out_trade_no', 'out_request_no', 'query_options'],
  'alipay.trade.query': ['trade_no', 'out_trade_no', 'query_options'],
  'alipay.trade.pay': ['out_trade_no', 'scene', 'auth_code', 'subject', 'total_amount', 'query_options', 'timeout_express'],
  'alipay.trade.precreate': [
    'out_trade_no',
    'subject',
    'total_amount',
    'timeout_express',
    'time_expire',
    'enable_pay_channels',
    'disable_pay_channels',
    'goods_type',
    'passback_params',
    'seller_id',
  ],
  'alipay.trade.create': [
    'out_trade_no',
    'subject',
    'total_amount',
    'timeout_express',
    'time_expire',
    'buyer_id',
    'buyer_logon_id',
    'buyer_open_id',
    'enable_pay_channels',
  ],
};

/** One change to a good biz_content: a field given a wrong value, a field dropped, a field no method expects. */
type BizMutation = { kind: 'set'; field: string; value: BizValue } | { kind: 'drop'; field: string } | { kind: 'add'; field: string; value: BizValue };

function bizMutation(method: MethodName): Arbitrary<BizMutation> {
  const field = fc.constantFrom(...BIZ_FIELDS[method]);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: field.chain((name) =>
        (/amount/.test(name) ? fc.oneof(badAmount, weirdValue) : weirdValue).map((value): BizMutation => ({ kind: 'set', field: name, value })),
      ),
    },
    { weight: 2, arbitrary: field.map((name): BizMutation => ({ kind: 'drop', field: name })) },
    {
      weight: 2,
      arbitrary: fc
        // Names a JSON parser or a prototype may make something of; a repeated key (the last one wins in JSON.parse).
        .tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', '', 'refund_amount', 'trade_no'), fc.string({ maxLength: 10 })), weirdValue)
        .map(([name, value]): BizMutation => ({ kind: 'add', field: name, value })),
    },
  );
}

function mutateBiz(fields: readonly Field[], mutations: readonly BizMutation[]): Field[] {
  let out = [...fields];
  for (const m of mutations) {
    if (m.kind === 'drop') out = out.filter(([name]) => name !== m.field);
    else if (m.kind === 'add') out = [...out, [m.field, m.value]];
    else out = out.some(([name]) => name === m.field) ? out.map(([name, v]): Field => [name, name === m.field ? m.value : v]) : [...out, [m.field, m.value]];
  }
  return out;
}

function bizFields(method: MethodName, trades: number): Arbitrary<Field[]> {
  const mutations = fc.oneof(
    { weight: 3, arbitrary: fc.constant<BizMutation[]>([]) },
    { weight: 3, arbitrary: fc.array(bizMutation(method), { minLength: 1, maxLength: 2 }) },
  );
  return fc.tuple(goodBizFields(method, trades), mutations).map(([fields, changes]) => mutateBiz(fields, changes));
}

/** biz_content that is not a JSON object, or not JSON at all. */
const brokenBizText: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'null',
    '[]',
    '[{}]',
    '"{}"',
    '1',
    'true',
    '{',
    '{"a":',
    '{}}',
    '{"refund_amount":}',
    "{'trade_no':'1'}",
    '{"trade_no":"1",}',
    '\u0000',
    '{"a":1}garbage',
    ' {} ',
    '\ufeff{}',
    '{"__proto__":{"refund_amount":"1.00"}}',
  ),
  anyText,
);

function bizSpec(method: MethodName, trades: number): Arbitrary<BizSpec> {
  return fc.oneof(
    { weight: 10, arbitrary: bizFields(method, trades).map((fields): BizSpec => ({ fields })) },
    { weight: 1, arbitrary: brokenBizText.map((text): BizSpec => ({ text })) },
  );
}

const PUBLIC_PARAMS = [
  'app_id',
  'method',
  'format',
  'charset',
  'sign_type',
  'sign',
  'timestamp',
  'version',
  'notify_url',
  'app_auth_token',
  'biz_content',
  'encrypt_type',
] as const;

const text = (value: string): ParamValue => ({ text: value });

/** A value for a public parameter: mostly wrong in the ways that parameter can be wrong. */
function paramValue(key: string): Arbitrary<ParamValue> {
  switch (key) {
    case 'app_id':
      return fc.oneof(
        fc.constantFrom<0 | 1>(0, 1).map((app): ParamValue => ({ app })),
        fc.constantFrom('2021000000000000', '0', '', '__proto__', '9'.repeat(300), ' ', '2021\u0000').map(text),
      );
    case 'method':
      return fc
        .constantFrom(
          ...METHODS,
          'alipay.trade.refund ',
          'ALIPAY.TRADE.REFUND',
          'alipay.trade.page.pay',
          'alipay.trade.close',
          '',
          'constructor',
          '__proto__',
          'toString',
          'hasOwnProperty',
          'x'.repeat(300),
          'alipay.trade.refund\u0000',
        )
        .map(text);
    case 'charset':
      return fc
        .constantFrom(
          'utf-8',
          'UTF-8',
          'utf8',
          'gbk',
          'GBK',
          'gb2312',
          'GB2312',
          ' gbk',
          'latin1',
          'big5',
          'gb18030',
          'utf-16',
          '',
          'ＵＴＦ-8',
          'utf-8;',
          'unknown',
        )
        .map(text);
    case 'sign_type':
      return fc.constantFrom('RSA2', 'RSA', 'rsa2', 'RSA256', 'MD5', 'SM2', '', 'DSA').map(text);
    case 'sign':
      return fc.oneof(fc.constantFrom('', 'AAAA', '!!!!', '=', '%', 'a'.repeat(400)).map(text), fc.base64String({ maxLength: 400 }).map(text));
    case 'timestamp':
      return fc.oneof(badTimestamp, fc.constant(timestampNow())).map(text);
    case 'version':
      return fc.constantFrom('1.0', '2.0', '1', '', '1.0 ', '1.00').map(text);
    case 'format':
      return fc.constantFrom('json', 'JSON', 'xml', '', 'Json').map(text);
    case 'notify_url':
      return fc.oneof(badUrl, fc.constant('http://127.0.0.1:1/notify')).map(text);
    case 'app_auth_token':
      return fc.oneof(fc.constant<ParamValue>({ authToken: true }), fc.constantFrom('', 'x', `202601BB${'0'.repeat(32)}`, '\u0000').map(text));
    case 'biz_content':
      return brokenBizText.map(text);
    case 'encrypt_type':
      return fc.constantFrom('AES', '', 'x').map(text);
    default:
      return anyText.map(text);
  }
}

const paramKey: Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PUBLIC_PARAMS) },
  // Keys of no parameter, and keys that look like one: prototype names, the empty key, separators.
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '', 'sign ', 'SIGN', 'biz_content[]', 'a=b', '&', '%', 'return_url', 'alipay_sdk'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

const paramEdit: Arbitrary<ParamEdit> = paramKey.chain((key) =>
  fc.oneof(
    fc.constant<ParamEdit>({ kind: 'drop', key }),
    paramValue(key).map((value): ParamEdit => ({ kind: 'set', key, value })),
    fc.tuple(paramValue(key), fc.boolean()).map(([value, first]): ParamEdit => ({ kind: 'duplicate', key, value, first })),
  ),
);

const paramEdits = (weightNone: number): Arbitrary<ParamEdit[]> =>
  fc.oneof({ weight: weightNone, arbitrary: fc.constant<ParamEdit[]>([]) }, { weight: 2, arbitrary: fc.array(paramEdit, { minLength: 1, maxLength: 3 }) });

const contentTypeChoice: Arbitrary<ContentTypeChoice> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<ContentTypeChoice>('form') },
  { weight: 1, arbitrary: fc.constantFrom<ContentTypeChoice>('form-bare', 'form-upper', 'form-other-charset', 'json', 'text', 'multipart', 'none', 'octet') },
);

export function openApiCase(trades: number): Arbitrary<OpenApiCase> {
  return fc.constantFrom(...METHODS).chain((method) =>
    fc.record({
      app: fc.constantFrom<0 | 1>(0, 0, 0, 0, 0, 1),
      method: fc.constant(method),
      charset: fc.constantFrom<OpenApiCase['charset']>('utf-8', 'utf-8', 'utf-8', 'GBK', 'gb2312'),
      signType: fc.constantFrom<OpenApiCase['signType']>('RSA2', 'RSA2', 'RSA'),
      notifyUrl: fc.boolean(),
      authToken: fc.constantFrom(false, false, false, true),
      biz: bizSpec(method, trades),
      edits: paramEdits(6),
      signing: fc.oneof(
        { weight: 10, arbitrary: fc.constant<OpenApiCase['signing']>('sign') },
        { weight: 1, arbitrary: fc.constantFrom<OpenApiCase['signing']>('stranger', 'none') },
      ),
      tamper: paramEdits(10),
      flaw,
      how: fc.constantFrom<OpenApiCase['how']>('POST', 'POST', 'GET', 'SPLIT', 'BOTH'),
      contentType: contentTypeChoice,
    }),
  );
}

export type Pair = [string, string];

function resolveParam(world: GatewayWorld, value: ParamValue): string {
  if ('text' in value) return value.text;
  if ('app' in value) return world.apps[value.app].appId;
  return world.authToken;
}

function renderBizValue(world: GatewayWorld, value: BizValue): string {
  if ('json' in value) return JSON.stringify(value.json);
  if ('literal' in value) return value.literal;
  const trade = world.trades[('tradeNo' in value ? value.tradeNo : value.outTradeNo) % world.trades.length]!;
  return JSON.stringify('tradeNo' in value ? trade.tradeNo : trade.outTradeNo);
}

/** biz_content as text, written by hand so that keys can repeat and numbers can be any literal. */
function renderBiz(world: GatewayWorld, biz: BizSpec): string {
  if ('text' in biz) return biz.text;
  return `{${biz.fields.map(([key, value]) => `${JSON.stringify(key)}:${renderBizValue(world, value)}`).join(',')}}`;
}

function applyEdits(world: GatewayWorld, pairs: Pair[], edits: readonly ParamEdit[]): Pair[] {
  let out = [...pairs];
  for (const edit of edits) {
    if (edit.kind === 'drop') {
      out = out.filter(([key]) => key !== edit.key);
    } else if (edit.kind === 'set') {
      const value = resolveParam(world, edit.value);
      out = out.some(([key]) => key === edit.key) ? out.map(([key, v]): Pair => [key, key === edit.key ? value : v]) : [...out, [edit.key, value]];
    } else {
      const pair: Pair = [edit.key, resolveParam(world, edit.value)];
      out = edit.first ? [pair, ...out] : [...out, pair];
    }
  }
  return out;
}

/** The parameters as the server reads them: the first occurrence of a key wins. */
export function firstWins(pairs: readonly Pair[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of pairs) if (!params.has(key)) params.set(key, value);
  return params;
}

type Encoding = 'utf-8' | 'gbk' | 'gb2312';

/** The bytes a request's text is written in: the charset it names when that is one we can write. */
function encodingNamed(name: string | undefined): Encoding {
  const lower = name?.trim().toLowerCase();
  return lower === 'gbk' ? 'gbk' : lower === 'gb2312' ? 'gb2312' : 'utf-8';
}

/** The v1 signature: every parameter but `sign`, sorted, `k=v&…`, empty values kept, in the named charset. */
function signOpenApi(params: ReadonlyMap<string, string>, key: KeyObject, encoding: Encoding): string {
  const content = [...params.keys()]
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}=${params.get(k)}`)
    .join('&');
  const algorithm = params.get('sign_type') === 'RSA' ? 'RSA-SHA1' : 'RSA-SHA256';
  return createSign(algorithm).update(charsetBytes(content, encoding)).sign(key, 'base64');
}

function contentTypeHeader(choice: ContentTypeChoice, charset: string): Record<string, string> {
  switch (choice) {
    case 'form':
      return { 'content-type': `application/x-www-form-urlencoded;charset=${charset}` };
    case 'form-bare':
      return { 'content-type': 'application/x-www-form-urlencoded' };
    case 'form-upper':
      return { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED; CHARSET=UTF-8' };
    case 'form-other-charset':
      return { 'content-type': 'application/x-www-form-urlencoded; charset=big5' };
    case 'json':
      return { 'content-type': 'application/json' };
    case 'text':
      return { 'content-type': 'text/plain' };
    case 'multipart':
      return { 'content-type': 'multipart/form-data; boundary=xyz' };
    case 'octet':
      return { 'content-type': 'application/octet-stream' };
    case 'none':
      return {};
  }
}

/** A case as the bytes of an HTTP request to /gateway.do. */
export function openApiRequest(world: GatewayWorld, c: OpenApiCase): RawRequest {
  const app = world.apps[c.app];
  let pairs: Pair[] = [
    ['app_id', app.appId],
    ['method', c.method],
    ['format', 'JSON'],
    ['charset', c.charset],
    ['sign_type', c.signType],
    ['timestamp', timestampNow()],
    ['version', '1.0'],
    ...(c.notifyUrl ? [['notify_url', 'http://127.0.0.1:1/notify'] as Pair] : []),
    ...(c.authToken ? [['app_auth_token', world.authToken] as Pair] : []),
    ['biz_content', renderBiz(world, c.biz)],
  ];
  pairs = applyEdits(world, pairs, c.edits);
  const encoding = encodingNamed(firstWins(pairs).get('charset'));
  if (c.signing !== 'none') {
    pairs = pairs.filter(([key]) => key !== 'sign');
    pairs.push(['sign', signOpenApi(firstWins(pairs), c.signing === 'sign' ? app.privateKey : world.stranger, encoding)]);
  }
  pairs = applyEdits(world, pairs, c.tamper);
  const encode = (list: Pair[]) => formOf(list, encoding);
  const headers = contentTypeHeader(c.contentType, firstWins(pairs).get('charset') ?? 'utf-8');
  switch (c.how) {
    case 'GET':
      return { method: 'GET', path: `/gateway.do?${applyFlaw(encode(pairs), inUrl(c.flaw))}` };
    case 'POST':
      return { method: 'POST', path: '/gateway.do', headers, body: applyFlaw(encode(pairs), c.flaw) };
    case 'SPLIT': {
      // As alipay-sdk sends it: biz_content in the body, the rest in the query.
      const body = pairs.filter(([key]) => key === 'biz_content');
      const query = pairs.filter(([key]) => key !== 'biz_content');
      return { method: 'POST', path: `/gateway.do?${encode(query)}`, headers, body: applyFlaw(encode(body), c.flaw) };
    }
    case 'BOTH':
      return { method: 'POST', path: `/gateway.do?${encode(pairs)}`, headers, body: applyFlaw(encode(pairs), c.flaw) };
  }
}

/** The world's trades a request names (by trade_no or out_trade_no, anywhere in it). */
export function tradesNamed(world: GatewayWorld, req: RawRequest): WorldTrade[] {
  const sent = sentText(req);
  const decoded = (() => {
    try {
      return decodeURIComponent(sent);
    } catch {
      return sent;
    }
  })();
  return world.trades.filter((t) => [sent, decoded].some((s) => s.includes(t.tradeNo) || s.includes(t.outTradeNo)));
}

// ---------------------------------------------------------------------------------------------------------
// Raw bodies: bytes that are not a form, under every content type
// ---------------------------------------------------------------------------------------------------------

type RawBody = { bytes: Uint8Array } | { json: Json } | { text: string } | { huge: true } | { empty: true };

export interface RawBodyCase {
  /** What the query string carries: nothing, a whole signed request, or only method and app_id. */
  query: 'none' | 'signed' | 'ids';
  signed: OpenApiCase;
  httpMethod: 'POST' | 'GET';
  contentType: string | null;
  body: RawBody;
}

const rawBody: Arbitrary<RawBody> = fc.oneof(
  { weight: 20, arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes): RawBody => ({ bytes })) },
  { weight: 15, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): RawBody => ({ json: value as Json })) },
  {
    weight: 15,
    arbitrary: fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom(
          'a=%FF%FE&b=%C0%AF',
          '=&=&=',
          '&&&',
          'method',
          '%',
          '%%%',
          'a=b;c=d',
          'biz_content=%7B',
          '\ufeffmethod=alipay.trade.query',
          'a'.repeat(10_000),
        ),
        fc.array(fc.tuple(anyText, anyText), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
      )
      .map((text): RawBody => ({ text })),
  },
  { weight: 10, arbitrary: fc.constant<RawBody>({ empty: true }) },
  // Past the 4 MiB the gateway reads: answered without reading it (rare: each is 4 MiB to send).
  { weight: 1, arbitrary: fc.constant<RawBody>({ huge: true }) },
);

const rawContentType: Arbitrary<string | null> = fc.constantFrom(
  null,
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=gbk',
  'application/x-www-form-urlencoded; charset=\xff\xfe',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/xml',
  'multipart/form-data; boundary=----x',
  'multipart/form-data',
  'application/octet-stream',
  '*/*',
  '',
  ';;;',
  'application/x-www-form-urlencoded, application/json',
);

export function rawBodyCase(trades: number): Arbitrary<RawBodyCase> {
  return fc.record({
    query: fc.constantFrom<RawBodyCase['query']>('none', 'signed', 'signed', 'ids'),
    signed: openApiCase(trades).map((c): OpenApiCase => ({ ...c, edits: [], tamper: [], flaw: { kind: 'none' }, how: 'GET', signing: 'sign' })),
    httpMethod: fc.constantFrom<RawBodyCase['httpMethod']>('POST', 'POST', 'POST', 'GET'),
    contentType: rawContentType,
    body: rawBody,
  });
}

const HUGE_BODY = Buffer.alloc(4 * 1024 * 1024 + 1, 'a');

export function rawBodyRequest(world: GatewayWorld, c: RawBodyCase): RawRequest {
  const query =
    c.query === 'none'
      ? ''
      : c.query === 'ids'
        ? `?method=${c.signed.method}&app_id=${world.apps[c.signed.app].appId}`
        : openApiRequest(world, c.signed).path.slice('/gateway.do'.length);
  const b = c.body;
  const body =
    'bytes' in b
      ? Buffer.from(b.bytes)
      : 'json' in b
        ? Buffer.from(JSON.stringify(b.json) ?? 'null', 'utf8')
        : 'text' in b
          ? Buffer.from(b.text, 'utf8')
          : 'huge' in b
            ? HUGE_BODY
            : Buffer.alloc(0);
  return { method: c.httpMethod, path: `/gateway.do${query}`, headers: c.contentType === null ? {} : { 'content-type': c.contentType }, body };
}

// ---------------------------------------------------------------------------------------------------------
// MAPI batch refunds: refund_fastpay_by_platform_pwd with mutated parameters
// ---------------------------------------------------------------------------------------------------------

export interface MapiWorld {
  kit: MerchantKit;
  /** Another merchant, for seller_user_id and partner values that name someone else. */
  other: MerchantKit;
  trades: readonly string[];
  now: number;
}

interface MapiLine {
  trade: number;
  amount: string;
  reason: string;
}

/** One way to spoil a good detail_data. */
type LineDamage =
  | { kind: 'amount'; line: number; amount: string }
  | { kind: 'reason'; line: number; reason: string }
  | { kind: 'trade'; line: number; tradeNo: string }
  | { kind: 'extra-field'; line: number; field: string }
  | { kind: 'missing-field'; line: number }
  /** The same trade twice in a batch. */
  | { kind: 'repeat-line'; line: number }
  | { kind: 'joiner'; joiner: string }
  /** At and past the 1000-line limit. */
  | { kind: 'many-lines'; count: number }
  | { kind: 'replace'; text: string };

type MapiValue = { text: string } | { pid: 'self' | 'other' } | { email: 'self' };
type MapiEdit =
  | { kind: 'drop'; key: string }
  | { kind: 'set'; key: string; value: MapiValue }
  | { kind: 'duplicate'; key: string; value: MapiValue; first: boolean };

export interface MapiCase {
  /** Good lines, on different trades. */
  lines: readonly MapiLine[];
  damage: readonly LineDamage[];
  batchNo: 'fresh' | { text: string };
  batchNum: 'count' | { text: string };
  refundDate: 'now' | { text: string };
  charset: MapiCharset;
  notifyUrl: boolean;
  edits: readonly MapiEdit[];
  signer: 'md5' | 'wrong-key' | 'unsigned' | 'lowercase-type' | 'rsa-unregistered' | 'dsa-unregistered';
  tamper: readonly MapiEdit[];
  how: 'GET' | 'POST';
  flaw: Flaw;
}

function goodLines(trades: number): Arbitrary<MapiLine[]> {
  return fc.uniqueArray(
    fc.record({
      trade: fc.nat(trades - 1),
      amount: fc.integer({ min: 1, max: 2000 }).map((fen) => (fen / 100).toFixed(2)),
      reason: fc.constantFrom('协商退款', 'refund', ''),
    }),
    { selector: (line) => line.trade, minLength: 1, maxLength: 3 },
  );
}

const lineDamage: Arbitrary<LineDamage> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('amount' as const),
      line: fc.nat(),
      amount: fc.constantFrom('0', '0.00', '-1.00', '0.001', '1e2', '', '100.01', '99999999999.99', '1,00', '１.00', ' 1.00', 'abc', '1000000.00'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('reason' as const),
      line: fc.nat(),
      // The separators a reason may not hold, reasons past 256 bytes, and anything.
      reason: fc.oneof(fc.constantFrom('a^b', 'a|b', 'a$b', 'a#b', '退'.repeat(130), 'x'.repeat(257), '\u0000', '退款\u0000', '😀'), anyText),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('trade' as const),
      line: fc.nat(),
      tradeNo: fc.oneof(fc.constantFrom('2026010122001400000000000000', '', '0', 'abc', '9'.repeat(70)), anyText),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra-field' as const), line: fc.nat(), field: fc.constantFrom('', 'x', '1.00') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('missing-field' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat-line' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('joiner' as const), joiner: fc.constantFrom('|', '$', '##', '#|', ',') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('many-lines' as const), count: fc.constantFrom(1000, 1001) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), text: fc.oneof(fc.constantFrom('', '^', '^^', '#', '###', '^^^^', 'a^b^c#'), anyText) }),
  },
);

/** detail_data as text, and how many lines it has. */
function detailData(world: MapiWorld, lines: readonly MapiLine[], damage: readonly LineDamage[]): { text: string; count: number } {
  const tradeNo = (i: number) => world.trades[i % world.trades.length]!;
  let rows: string[][] = lines.map((line) => [tradeNo(line.trade), line.amount, line.reason]);
  let joiner = '#';
  let replaced: string | null = null;
  for (const d of damage) {
    const at = 'line' in d ? d.line % rows.length : 0;
    if (d.kind === 'amount') rows[at]![1] = d.amount;
    else if (d.kind === 'reason') rows[at]![2] = d.reason;
    else if (d.kind === 'trade') rows[at]![0] = d.tradeNo;
    else if (d.kind === 'extra-field') rows[at]!.push(d.field);
    else if (d.kind === 'missing-field') rows[at]!.pop();
    else if (d.kind === 'repeat-line') rows.push([...rows[at]!]);
    else if (d.kind === 'joiner') joiner = d.joiner;
    else if (d.kind === 'many-lines') rows = Array.from({ length: d.count }, () => [tradeNo(0), '0.01', 'r']);
    else replaced = d.text;
  }
  return replaced === null ? { text: rows.map((row) => row.join('^')).join(joiner), count: rows.length } : { text: replaced, count: 1 };
}

function mapiParamValue(key: string): Arbitrary<MapiValue> {
  const t = (arb: Arbitrary<string>) => arb.map((value): MapiValue => ({ text: value }));
  switch (key) {
    case 'service':
      return t(
        fc.constantFrom(
          'refund_fastpay_by_platform_pwd',
          'notify_verify',
          'refund_fastpay_by_platform_nopwd',
          '',
          'REFUND_FASTPAY_BY_PLATFORM_PWD',
          '__proto__',
          'create_direct_pay_by_user',
        ),
      );
    case 'partner':
    case 'seller_user_id':
      return fc.oneof(
        fc.constantFrom<'self' | 'other'>('self', 'other').map((pid): MapiValue => ({ pid })),
        t(fc.constantFrom('2088000000000000', 'abc', '', `2088${'1'.repeat(40)}`, ' ')),
      );
    case 'seller_email':
      return fc.oneof(fc.constant<MapiValue>({ email: 'self' }), t(fc.constantFrom('nobody@example.com', '', 'not-an-email', 'a'.repeat(300), 'a\u0000@b.c')));
    case '_input_charset':
      return t(fc.constantFrom('GBK', 'gbk', 'UTF-8', 'utf-8', 'GB2312', 'BIG5', '', 'gb18030'));
    case 'notify_url':
    case 'return_url':
      return t(fc.oneof(badUrl, fc.constant('http://127.0.0.1:1/notify')));
    case 'batch_no':
      return t(fc.constantFrom('', '000', '20200101123', `${'1'.repeat(30)}`, '退款批次', 'abc', '2026010100000'));
    case 'batch_num':
      return t(fc.constantFrom('0', '-1', '1001', 'abc', '1.5', '', '01', '1e2', ' 1', '99999999999999999999'));
    case 'refund_date':
      return t(badTimestamp);
    case 'detail_data':
      return t(fc.oneof(fc.constantFrom('', '^', '^^', '#', '###', '^^^^', 'a^b^c#'), anyText));
    case 'sign':
      return t(fc.constantFrom('', '00000000000000000000000000000000', 'zz', 'a'.repeat(500)));
    case 'sign_type':
      return t(fc.constantFrom('MD5', 'md5', 'RSA', 'DSA', 'RSA2', '', 'SHA1'));
    default:
      return t(anyText);
  }
}

const MAPI_PARAMS = [
  'service',
  'partner',
  '_input_charset',
  'seller_user_id',
  'seller_email',
  'notify_url',
  'return_url',
  'batch_no',
  'batch_num',
  'detail_data',
  'refund_date',
  'sign',
  'sign_type',
] as const;

const mapiEdit: Arbitrary<MapiEdit> = fc
  .oneof(
    { weight: 6, arbitrary: fc.constantFrom(...MAPI_PARAMS) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__proto__', '', 'a=b', 'SERVICE'), fc.string({ maxLength: 8 })) },
  )
  .chain((key) =>
    fc.oneof(
      fc.constant<MapiEdit>({ kind: 'drop', key }),
      mapiParamValue(key).map((value): MapiEdit => ({ kind: 'set', key, value })),
      fc.tuple(mapiParamValue(key), fc.boolean()).map(([value, first]): MapiEdit => ({ kind: 'duplicate', key, value, first })),
    ),
  );

const mapiEdits = (weightNone: number): Arbitrary<MapiEdit[]> =>
  fc.oneof({ weight: weightNone, arbitrary: fc.constant<MapiEdit[]>([]) }, { weight: 2, arbitrary: fc.array(mapiEdit, { minLength: 1, maxLength: 3 }) });

export function mapiCase(trades: number): Arbitrary<MapiCase> {
  const rarely = <T>(good: T, bad: Arbitrary<T>): Arbitrary<T> => fc.oneof({ weight: 12, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: bad });
  return fc.record({
    lines: goodLines(trades),
    damage: fc.oneof({ weight: 5, arbitrary: fc.constant<LineDamage[]>([]) }, { weight: 4, arbitrary: fc.array(lineDamage, { minLength: 1, maxLength: 2 }) }),
    batchNo: rarely<MapiCase['batchNo']>(
      'fresh',
      mapiParamValue('batch_no').map((v) => v as { text: string }),
    ),
    batchNum: rarely<MapiCase['batchNum']>(
      'count',
      mapiParamValue('batch_num').map((v) => v as { text: string }),
    ),
    refundDate: rarely<MapiCase['refundDate']>(
      'now',
      badTimestamp.map((value) => ({ text: value })),
    ),
    charset: fc.constantFrom<MapiCharset>('GBK', 'GBK', 'UTF-8', 'GB2312'),
    notifyUrl: fc.boolean(),
    edits: mapiEdits(10),
    signer: fc.oneof(
      { weight: 12, arbitrary: fc.constant<MapiCase['signer']>('md5') },
      { weight: 1, arbitrary: fc.constantFrom<MapiCase['signer']>('wrong-key', 'unsigned', 'lowercase-type', 'rsa-unregistered', 'dsa-unregistered') },
    ),
    tamper: mapiEdits(14),
    how: fc.constantFrom<MapiCase['how']>('GET', 'GET', 'POST'),
    flaw,
  });
}

let batchSerial = 0;

export function mapiRequest(world: MapiWorld, c: MapiCase): RawRequest {
  const detail = detailData(world, c.lines, c.damage);
  const resolve = (value: MapiValue): string =>
    'text' in value ? value.text : 'pid' in value ? (value.pid === 'self' ? world.kit.pid : world.other.pid) : world.kit.email;
  let pairs: Pair[] = [
    ['service', 'refund_fastpay_by_platform_pwd'],
    ['partner', world.kit.pid],
    ['_input_charset', c.charset],
    ['seller_user_id', world.kit.pid],
    ['refund_date', c.refundDate === 'now' ? formatChinaTime(world.now) : c.refundDate.text],
    ['batch_no', c.batchNo === 'fresh' ? `${formatChinaDate(world.now)}${String(++batchSerial).padStart(6, '0')}` : c.batchNo.text],
    ['batch_num', c.batchNum === 'count' ? String(detail.count) : c.batchNum.text],
    ['detail_data', detail.text],
    ...(c.notifyUrl ? [['notify_url', 'http://127.0.0.1:1/notify'] as Pair] : []),
  ];
  const edit = (list: Pair[], edits: readonly MapiEdit[]): Pair[] => {
    let out = [...list];
    for (const e of edits) {
      if (e.kind === 'drop') out = out.filter(([key]) => key !== e.key);
      else if (e.kind === 'set')
        out = out.some(([key]) => key === e.key)
          ? out.map(([key, v]): Pair => [key, key === e.key ? resolve(e.value) : v])
          : [...out, [e.key, resolve(e.value)]];
      else out = e.first ? [[e.key, resolve(e.value)], ...out] : [...out, [e.key, resolve(e.value)]];
    }
    return out;
  };
  pairs = edit(pairs, c.edits);
  const named = firstWins(pairs).get('_input_charset')?.trim().toUpperCase();
  const charset: MapiCharset = named === 'UTF-8' ? 'UTF-8' : named === 'GB2312' ? 'GB2312' : 'GBK';
  if (c.signer !== 'unsigned') {
    pairs = pairs.filter(([key]) => key !== 'sign' && key !== 'sign_type');
    const signType = c.signer === 'lowercase-type' ? 'md5' : c.signer === 'rsa-unregistered' ? 'RSA' : c.signer === 'dsa-unregistered' ? 'DSA' : 'MD5';
    const key = c.signer === 'wrong-key' ? 'wrongkey' : world.kit.md5Key;
    // RSA and DSA are signed with MD5 bytes, which is no signature of theirs: the merchant registered no such key anyway.
    pairs.push(['sign_type', signType], ['sign', mapiSign(Object.fromEntries(firstWins(pairs)), charset, { type: 'MD5', key })]);
  }
  pairs = edit(pairs, c.tamper);
  const query = applyFlaw(formOf(pairs, charset), c.how === 'GET' ? inUrl(c.flaw) : c.flaw);
  return c.how === 'GET'
    ? { method: 'GET', path: `/gateway.do?${query}` }
    : { method: 'POST', path: '/gateway.do', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query };
}

/** The values a request gave a parameter, every occurrence (the server reads the first; we check them all). */
export function valuesOf(req: RawRequest, key: string): string[] {
  const form = req.body === undefined ? req.path.slice(req.path.indexOf('?') + 1) : Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body;
  return form
    .split('&')
    .map((part) => part.split('='))
    .filter(([k]) => k === key)
    .map(([, v = '']) => {
      try {
        return decodeURIComponent(v.replace(/\+/g, ' '));
      } catch {
        return v;
      }
    });
}

// ---------------------------------------------------------------------------------------------------------
// Cashier posts: random forms, cookies and CSRF tokens against batches awaiting their seller
// ---------------------------------------------------------------------------------------------------------

export interface PoolBatch {
  batchNo: string;
  path: string;
  seller: Seller;
}

type CashierBody = { form: true } | { json: true } | { bytes: Uint8Array } | { empty: true };

export interface CashierCase {
  target: { pool: number } | { token: string };
  action: 'login' | 'confirm' | 'cancel' | 'page' | { suffix: string };
  cookie: 'own' | 'none' | 'other' | { header: string };
  csrf: 'own' | 'none' | 'other' | 'own-then-junk' | 'junk-then-own' | { text: string };
  password: 'none' | 'right-login' | { text: string };
  extra: ReadonlyArray<readonly [string, string]>;
  body: CashierBody;
  contentType: string | null;
}

export const POOL_SIZE = 4;

const hex = (length: { minLength?: number; maxLength: number }): Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), ...length });

export const cashierCase: Arbitrary<CashierCase> = fc.record({
  target: fc.oneof(
    { weight: 8, arbitrary: fc.nat(POOL_SIZE - 1).map((pool) => ({ pool })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom('00000000000000000000000000000000', '', 'x', '..', '%2e%2e', 'a'.repeat(200), '%zz', '%00', '退款'), hex({ maxLength: 40 }))
        .map((token) => ({ token })),
    },
  ),
  action: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<CashierCase['action']>('login', 'confirm', 'cancel', 'page') },
    { weight: 1, arbitrary: fc.constantFrom('login/', 'confirm?x=1', 'CANCEL', 'login%00', 'x', '').map((suffix) => ({ suffix })) },
  ),
  cookie: fc.oneof(
    { weight: 6, arbitrary: fc.constant<'own'>('own') },
    { weight: 2, arbitrary: fc.constantFrom<'none' | 'other'>('none', 'other') },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          hex({ minLength: 48, maxLength: 48 }).map((id) => `tk_cashier=${id}`),
          fc.constantFrom('tk_cashier=', 'tk_cashier', '=;=;=', 'tk_cashier=a; tk_cashier=b', `tk_cashier=${'f'.repeat(5000)}`, 'tk_cashier=%00', 'a=b'),
          fc.string({ maxLength: 60 }),
        )
        .map((header) => ({ header })),
    },
  ),
  csrf: fc.oneof(
    { weight: 6, arbitrary: fc.constant<'own'>('own') },
    { weight: 3, arbitrary: fc.constantFrom<CashierCase['csrf']>('none', 'other', 'own-then-junk', 'junk-then-own') },
    { weight: 2, arbitrary: fc.oneof(hex({ maxLength: 64 }), anyText).map((value) => ({ text: value })) },
  ),
  password: fc.oneof(
    { weight: 6, arbitrary: anyText.map((value) => ({ text: value })) },
    { weight: 1, arbitrary: fc.constantFrom<'none' | 'right-login'>('none', 'right-login') },
  ),
  extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom('_csrf', 'login_password', 'payment_password', '__proto__', ''), fc.string({ maxLength: 8 })), anyText), {
    maxLength: 3,
  }),
  body: fc.oneof(
    { weight: 8, arbitrary: fc.constant<CashierBody>({ form: true }) },
    { weight: 1, arbitrary: fc.constantFrom<CashierBody>({ json: true }, { empty: true }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): CashierBody => ({ bytes })) },
  ),
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    null,
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
  ),
});

// ---------------------------------------------------------------------------------------------------------
// Admin calls: every route, with bodies that are almost right, random JSON, or junk
// ---------------------------------------------------------------------------------------------------------

export interface AdminWorld {
  kit: MerchantKit;
  tradeNo: string;
  authToken: string;
  publicKeyPem: string;
}

type Victim = 'pid' | 'tradeNo' | 'appId' | 'authToken';
type Segment = string | { victim: Victim };

export interface AdminRoute {
  methods: readonly string[];
  path: readonly Segment[];
  /** The body the route takes, field by field: each field's good value (weird ones are mixed in). */
  fields?: (world: AdminWorld) => Record<string, Arbitrary<Json>>;
  /** The query parameters the route reads. */
  query?: readonly string[];
}

const yuanText = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((fen) => (fen / 100).toFixed(2)),
  fc.constantFrom('1e3', '-0.00', '0.001'),
);

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    methods: ['POST'],
    path: ['merchants'],
    fields: () => ({
      name: fc.constant('商户'),
      balance: yuanText,
      md5_key: fc.constant('abc123'),
      login_password: fc.constant('pw-1'),
      payment_password: fc.constant('123456'),
      email: fc.constant('a@alitest.com'),
    }),
  },
  {
    methods: ['GET', 'PATCH', 'DELETE'],
    path: ['merchants', { victim: 'pid' }],
    fields: () => ({
      fee_rate: fc.constantFrom('0.006', '0', '1', '0.0000001'),
      refund_window_days: fc.integer({ min: 0, max: 3650 }),
      pwd_refund_enabled: fc.boolean(),
      default_fund_mix: fc.constantFrom<Json>(
        [{ fund_channel: 'ALIPAYACCOUNT', percent: 100 }],
        [
          { fund_channel: 'BANKCARD', percent: 60, fund_type: 'DEBIT_CARD' },
          { fund_channel: 'PCREDIT', percent: 40 },
        ],
      ),
      dback_delay_seconds: fc.integer({ min: 0, max: 86_400 }),
      dback_outcome: fc.constantFrom('S', 'F'),
      mapi_rsa_public_key: fc.constant(null),
      md5_key: fc.constant('abc123'),
      account_status: fc.constantFrom('normal', 'frozen'),
    }),
  },
  {
    methods: ['POST'],
    path: ['merchants', { victim: 'pid' }, 'balance'],
    fields: () => ({ delta: fc.constantFrom('+1.00', '-0.01', '+0.00', '1.00'), set: yuanText }),
  },
  { methods: ['GET'], path: ['merchants', { victim: 'pid' }, 'ledger'] },
  // Always with a key: an app without one makes the server generate an RSA key pair, which is slow.
  {
    methods: ['POST'],
    path: ['apps'],
    fields: (w) => ({ pid: fc.constant(w.kit.pid), app_public_key: fc.constant(w.publicKeyPem), rsa_public_key: fc.constant(w.publicKeyPem) }),
  },
  { methods: ['GET'], path: ['apps', { victim: 'appId' }] },
  { methods: ['POST'], path: ['app-auth-tokens'], fields: (w) => ({ app_id: fc.constant(w.kit.appId), pid: fc.constant(w.kit.pid) }) },
  { methods: ['DELETE'], path: ['app-auth-tokens', { victim: 'authToken' }] },
  {
    methods: ['POST'],
    path: ['trades'],
    fields: (w) => ({
      app_id: fc.constant(w.kit.appId),
      total_amount: yuanText,
      out_trade_no: fc.string({ minLength: 1, maxLength: 20 }),
      subject: fc.constant('测试'),
      notify_url: fc.oneof(badUrl, fc.constant('http://127.0.0.1:1/n')),
      status: fc.constantFrom('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED', 'TRADE_FINISHED'),
      fund_bill_list: fc.constantFrom<Json>([{ fund_channel: 'ALIPAYACCOUNT', amount: '1.00' }], [{ fund_channel: 'COUPON', amount: '1.00' }], []),
      voucher_detail_list: fc.constantFrom<Json>([{ amount: '1.00', merchant_contribute: '2.00' }], []),
    }),
  },
  {
    methods: ['GET', 'PATCH'],
    path: ['trades', { victim: 'tradeNo' }],
    fields: () => ({
      frozen: fc.boolean(),
      refund_allowed: fc.boolean(),
      dback_outcome: fc.constantFrom('S', 'F', null),
      buyer_account_status: fc.constantFrom('normal', 'frozen'),
    }),
  },
  { methods: ['GET'], path: ['refunds'], query: ['trade_no', 'out_request_no', 'batch_no', 'status'] },
  { methods: ['GET'], path: ['notifications'], query: ['trade_no', 'notify_id', 'batch_no', 'kind', 'pid'] },
  { methods: ['POST'], path: ['notifications', 'x', 'resend'] },
  { methods: ['POST'], path: ['notifications', 'x', 'due-now'] },
  { methods: ['GET'], path: ['batches', '20260101001'], query: ['partner'] },
  { methods: ['GET', 'POST'], path: ['clock'], fields: () => ({ advance_seconds: fc.integer({ min: 0, max: 3600 }) }) },
  { methods: ['GET'], path: ['jobs'] },
  { methods: ['POST'], path: ['jobs', '1', 'retry'] },
  {
    methods: ['GET', 'POST', 'DELETE'],
    path: ['faults'],
    fields: () => ({
      method: fc.constantFrom('alipay.trade.refund', 'alipay.trade.query', 'nope'),
      sub_code: fc.constantFrom('isp.unknow-error', 'ACQ.SYSTEM_ERROR', 'x'),
      times: fc.integer({ min: 1, max: 3 }),
      phase: fc.constantFrom('before', 'after'),
    }),
  },
  { methods: ['GET'], path: ['platform'] },
];

type AdminBody = { json: Json } | { raw: Uint8Array | string } | { none: true };

export interface AdminCase {
  route: number;
  method: string;
  /** Path segments replaced by odd text, by position. */
  segments: ReadonlyArray<string | null>;
  query: ReadonlyArray<readonly [string, string]>;
  body: AdminBody;
  contentType: string | null;
  auth: 'valid' | 'none' | 'wrong' | 'padded';
}

const weirdJsonValue: Arbitrary<Json> = weirdValue.map((value) => ('json' in value ? value.json : null));

/** A body that is the route's own shape with some fields wrong, random JSON, or not JSON at all. */
function adminBody(world: AdminWorld, route: AdminRoute): Arbitrary<AdminBody> {
  const fields = route.fields?.(world) ?? {};
  const shaped = fc
    .record(
      Object.fromEntries(
        Object.entries(fields).map(([name, good]) => [name, fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: weirdJsonValue })]),
      ),
      { requiredKeys: [] },
    )
    .map((record): AdminBody => ({ json: record as Json }));
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): AdminBody => ({ json: value as Json })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '',
            'null',
            '{',
            '[]',
            '"x"',
            '{"a":1}{"b":2}',
            '\ufeff{}',
            '{"__proto__":{"x":1}}',
            '{"constructor":{"prototype":{"x":1}}}',
            `${'['.repeat(5000)}${']'.repeat(5000)}`,
            '{"balance":1e400}',
          ),
          fc.uint8Array({ maxLength: 200 }),
        )
        .map((raw): AdminBody => ({ raw })),
    },
    { weight: 1, arbitrary: fc.constant<AdminBody>({ none: true }) },
  );
}

/** Query strings: the route's keys and others, with odd values and broken escapes — and a key given twice. */
function adminQuery(route: AdminRoute): Arbitrary<Array<readonly [string, string]>> {
  const keys = route.query ?? ['x'];
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__proto__', 'constructor', '', 'a[b]', 'a[]'), fc.string({ maxLength: 6 })) },
  );
  const value = fc.oneof(
    fc.constantFrom('accepted', 'succeeded', 'failed', 'R1', '', '%', '%zz', '%C0%AF', '%E4%B8', 'a'.repeat(3000)),
    anyText.map(encodeURIComponent),
  );
  // A repeated key is what a query-string parser turns into an array.
  const repeated = fc.tuple(fc.constantFrom(...keys), value, value).map(
    ([k, a, b]): Array<readonly [string, string]> => [
      [k, a],
      [k, b],
    ],
  );
  return fc
    .tuple(fc.array(fc.tuple(key, value), { maxLength: 3 }), fc.oneof(fc.constant<Array<readonly [string, string]>>([]), repeated))
    .map(([pairs, twice]) => [...pairs, ...twice]);
}

export function adminCase(world: AdminWorld): Arbitrary<AdminCase> {
  // Routes that read a query string are drawn more often: their parameters are half of what can go wrong.
  const routeIndex = fc.oneof(...ADMIN_ROUTES.map((route, i) => ({ weight: route.query ? 3 : 2, arbitrary: fc.constant(i) })));
  return routeIndex.chain((index) => {
    const route = ADMIN_ROUTES[index]!;
    return fc.record({
      route: fc.constant(index),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...route.methods) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'HEAD') },
      ),
      segments: fc.array(
        fc.oneof(
          { weight: 10, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc.oneof(
              fc.constantFrom('', '%', '%zz', '%00', '..', 'a'.repeat(150), '退款', '2088000000000000', '__proto__', '%2F'),
              fc.string({ maxLength: 12 }).map(encodeURIComponent),
            ),
          },
        ),
        { minLength: route.path.length, maxLength: route.path.length },
      ),
      query: route.query ? adminQuery(route) : fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: adminQuery(route) }),
      body: adminBody(world, route),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        'multipart/form-data; boundary=x',
      ),
      auth: fc.oneof(
        { weight: 20, arbitrary: fc.constant<AdminCase['auth']>('valid') },
        { weight: 1, arbitrary: fc.constantFrom<AdminCase['auth']>('none', 'wrong', 'padded') },
      ),
    });
  });
}

export function adminRequest(world: AdminWorld, c: AdminCase, token: string): RawRequest {
  const route = ADMIN_ROUTES[c.route]!;
  const victims: Record<Victim, string> = { pid: world.kit.pid, tradeNo: world.tradeNo, appId: world.kit.appId, authToken: world.authToken };
  const segments = route.path.map((segment, i) => c.segments[i] ?? (typeof segment === 'string' ? segment : victims[segment.victim]));
  const query = c.query.length === 0 ? '' : `?${c.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}`;
  const auth = { valid: `Bearer ${token}`, none: null, wrong: `Bearer ${token}x`, padded: `Bearer  ${token} ` }[c.auth];
  const body = 'json' in c.body ? (JSON.stringify(c.body.json) ?? 'null') : 'raw' in c.body ? c.body.raw : undefined;
  const headers: Record<string, string> = {
    ...(auth && { authorization: auth }),
    ...(body !== undefined && c.contentType !== null && { 'content-type': c.contentType }),
  };
  return {
    method: c.method,
    path: `/admin/v1/${segments.join('/')}${query}`,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body) }),
  };
}
