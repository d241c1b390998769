/**
 * Text as the bytes of a charset, and those bytes percent-encoded: the one encoder of every request the tests
 * build by hand (OpenAPI forms, MAPI links, fuzzed forms, cashier forms). It encodes as Java's URLEncoder does,
 * like Alipay's own demos: letters, digits and `-_.*` as they are, a space as `+`, every other byte as `%XX`.
 */
import iconv from 'iconv-lite';

/** A charset as requests name it: OpenAPI's `charset` (utf-8, GBK, gb2312) or MAPI's `_input_charset` (UTF-8, GBK, GB2312). */
export type CharsetName = 'utf-8' | 'UTF-8' | 'GBK' | 'gbk' | 'gb2312' | 'GB2312';

/** `text` written in `charset` (a character it cannot write becomes `?`). */
export function charsetBytes(text: string, charset: CharsetName): Buffer {
  return iconv.encode(text, charset.toLowerCase());
}

/** Percent-encodes the bytes of `text` in `charset`, like Java's URLEncoder. */
export function percentEncode(text: string, charset: CharsetName = 'utf-8'): string {
  let out = '';
  for (const byte of charsetBytes(text, charset)) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && /[A-Za-z0-9\-_.*]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A form (`k=v&…`) of these pairs, percent-encoded in `charset`. */
export function formOf(pairs: Iterable<readonly [string, string]>, charset: CharsetName = 'utf-8'): string {
  return [...pairs].map(([key, value]) => `${percentEncode(key, charset)}=${percentEncode(value, charset)}`).join('&');
}
