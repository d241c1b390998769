import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeForm, encodeForm, findAsciiField, parseCharset, splitForm } from '../../src/protocol/charset.js';

describe('charsets: a form is percent-decoded as bytes, then decoded in the charset it names', () => {
  it('reads seed 002’s GBK bytes %D0%AD%C9%CC%CD%CB%BF%EE as 协商退款', () => {
    const pairs = splitForm('detail_data=2014040311001004370000361525%5E5.00%5E%D0%AD%C9%CC%CD%CB%BF%EE&_input_charset=GBK');
    assert.equal(findAsciiField(pairs, '_input_charset'), 'GBK');
    assert.equal(decodeForm(pairs, 'gbk').get('detail_data'), '2014040311001004370000361525^5.00^协商退款');
  });

  it('takes + as a space and keeps a % that is not followed by two hex digits', () => {
    assert.equal(decodeForm(splitForm('a=1+2&b=100%&c=%zz&d=%4'), 'utf-8').get('a'), '1 2');
    const decoded = decodeForm(splitForm('b=100%&c=%zz&d=%4'), 'utf-8');
    assert.deepEqual([decoded.get('b'), decoded.get('c'), decoded.get('d')], ['100%', '%zz', '%4']);
  });

  it('keeps the first of repeated keys, empty values, and keys without values', () => {
    const decoded = decodeForm(splitForm('a=1&a=2&empty=&bare&&'), 'utf-8');
    assert.equal(decoded.get('a'), '1');
    assert.equal(decoded.get('empty'), '');
    assert.equal(decoded.get('bare'), '');
  });

  it('names utf-8, gbk and gb2312 in any case; nothing else', () => {
    assert.equal(parseCharset('UTF-8'), 'utf-8');
    assert.equal(parseCharset('utf8'), 'utf-8');
    assert.equal(parseCharset('GBK'), 'gbk');
    assert.equal(parseCharset('gb2312'), 'gb2312');
    assert.equal(parseCharset('big5'), null);
    assert.equal(parseCharset(undefined), null);
  });

  it('encodes a form in a charset and decodes it back', () => {
    const params: Array<[string, string]> = [
      ['reason', '协商退款 & 退货'],
      ['amount', '5.00'],
    ];
    for (const charset of ['utf-8', 'gbk', 'gb2312'] as const) {
      const encoded = encodeForm(params, charset);
      assert.deepEqual([...decodeForm(splitForm(encoded), charset)], params);
    }
    assert.equal(encodeForm([['r', '协商退款']], 'gbk'), 'r=%D0%AD%C9%CC%CD%CB%BF%EE');
  });
});
