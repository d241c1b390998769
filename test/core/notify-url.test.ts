/**
 * What may be a notify_url: an absolute http(s) URL with a host, of at most 256 characters (200 for MAPI);
 * everything else is refused where it enters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNotifyUrl, MAPI_NOTIFY_URL_MAX, OPENAPI_NOTIFY_URL_MAX } from '../../src/core/notify-url.js';

/** Bad forms every entry refuses: the list the entry tests share. */
export const BAD_NOTIFY_URLS: readonly string[] = [
  'file:///etc/passwd',
  'not a url at all',
  '/relative/notify',
  'http:example.com/notify',
  'ftp://example.com/notify',
  'javascript:alert(1)',
  'http://',
  'http:// example.com/notify',
  'https://example.com/no tify',
  'http://example.com/\nnotify',
  `https://example.com/${'a'.repeat(5000)}`,
];

describe('a notify_url', () => {
  it('is an absolute http or https URL with a host', () => {
    for (const url of [
      'http://example.com/notify',
      'https://shop.example.com:8443/alipay/notify?order=1',
      'http://127.0.0.1:9000/n',
      'http://[::1]:8080/n',
      'HTTPS://EXAMPLE.COM/N',
    ]) {
      assert.equal(isNotifyUrl(url), true, url);
    }
  });

  it('is never another scheme, a relative path, text with spaces or controls, or a URL a parser would have to mend', () => {
    for (const url of BAD_NOTIFY_URLS) assert.equal(isNotifyUrl(url), false, url);
  });

  it('is at most 256 characters on the OpenAPI gateway and 200 on MAPI', () => {
    const url = (length: number) => `https://example.com/${'n'.repeat(length - 'https://example.com/'.length)}`;
    assert.equal(isNotifyUrl(url(OPENAPI_NOTIFY_URL_MAX)), true);
    assert.equal(isNotifyUrl(url(OPENAPI_NOTIFY_URL_MAX + 1)), false);
    assert.equal(isNotifyUrl(url(MAPI_NOTIFY_URL_MAX), MAPI_NOTIFY_URL_MAX), true);
    assert.equal(isNotifyUrl(url(MAPI_NOTIFY_URL_MAX + 1), MAPI_NOTIFY_URL_MAX), false);
  });
});
