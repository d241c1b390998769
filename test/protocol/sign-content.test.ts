import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasEmptyValues, requestSignContent, signContentWithoutSignType } from '../../src/protocol/sign-content.js';

describe('the texts Alipay signs', () => {
  const params = new Map([
    ['sign', 'xxx'],
    ['method', 'alipay.trade.refund'],
    ['app_id', '2021'],
    ['sign_type', 'RSA2'],
    ['notify_url', ''],
    ['biz_content', '{"a":"b&c=d"}'],
  ]);

  it('an OpenAPI request: all but sign, sorted, raw values; sign_type stays in; empty values kept or dropped', () => {
    assert.equal(requestSignContent(params, true), 'app_id=2021&biz_content={"a":"b&c=d"}&method=alipay.trade.refund&notify_url=&sign_type=RSA2');
    assert.equal(requestSignContent(params, false), 'app_id=2021&biz_content={"a":"b&c=d"}&method=alipay.trade.refund&sign_type=RSA2');
    assert.equal(hasEmptyValues(params), true);
  });

  it('notifications and MAPI: all but sign and sign_type, empty values dropped', () => {
    assert.equal(signContentWithoutSignType({ sign: 'x', sign_type: 'MD5', batch_no: '20261123001', b: '', a: '1' }), 'a=1&batch_no=20261123001');
  });

  it('sorts by ASCII: capitals before lower case, _ between', () => {
    assert.equal(signContentWithoutSignType({ b: '1', B: '2', _a: '3', a_: '4' }), 'B=2&_a=3&a_=4&b=1');
  });
});
