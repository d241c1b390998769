/**
 * Charsets of Alipay's wire formats. Requests name theirs (`charset` for OpenAPI, `_input_charset` for
 * MAPI) and percent-encode bytes in it: the seed's example URL carries 协商退款 as the GBK bytes
 * `%D0%AD%C9%CC%CD%CB%BF%EE`. So a form is split and percent-decoded as bytes first, and only then
 * decoded as text in the charset it names.
 */
import iconv from 'iconv-lite';

export type Charset = 'utf-8' | 'gbk' | 'gb2312';

/** The charset a request names, case-insensitively; null for one Alipay does not accept. */
export function parseCharset(name: string | undefined): Charset | null {
  switch (name?.trim().toLowerCase()) {
    case 'utf-8':
    case 'utf8':
      return 'utf-8';
    case 'gbk':
      return 'gbk';
    case 'gb2312':
      return 'gb2312';
    default:
      return null;
  }
}

/** How Alipay spells a charset back (notifications, content types). */
export function charsetLabel(charset: Charset): string {
  return charset === 'utf-8' ? 'utf-8' : charset.toUpperCase();
}

export function decodeText(bytes: Buffer, charset: Charset): string {
  return charset === 'utf-8' ? bytes.toString('utf8') : iconv.decode(bytes, charset);
}

export function encodeText(text: string, charset: Charset): Buffer {
  return charset === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset);
}

/** One `key=value` of a form, still as bytes. */
export interface RawPair {
  key: Buffer;
  value: Buffer;
}

/**
 * Splits `application/x-www-form-urlencoded` bytes (a query string or a body) into percent-decoded byte
 * pairs. As browsers do, `+` is a space and a `%` not followed by two hex digits stays a literal `%`:
 * malformed input yields odd text (and then a failed signature), never an exception.
 */
export function splitForm(raw: Buffer | string): RawPair[] {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const pairs: RawPair[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x26 /* & */) {
      if (i > start) {
        const field = bytes.subarray(start, i);
        const eq = field.indexOf(0x3d /* = */);
        const key = eq === -1 ? field : field.subarray(0, eq);
        const value = eq === -1 ? Buffer.alloc(0) : field.subarray(eq + 1);
        pairs.push({ key: percentDecode(key), value: percentDecode(value) });
      }
      start = i + 1;
    }
  }
  return pairs;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

function percentDecode(bytes: Buffer): Buffer {
  if (bytes.indexOf(0x25) === -1 && bytes.indexOf(0x2b) === -1) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x2b /* + */) {
      out[n++] = 0x20;
    } else if (byte === 0x25 /* % */) {
      const high = hexValue(bytes[i + 1]);
      const low = hexValue(bytes[i + 2]);
      if (high >= 0 && low >= 0) {
        out[n++] = high * 16 + low;
        i += 2;
      } else {
        out[n++] = byte;
      }
    } else {
      out[n++] = byte;
    }
  }
  return out.subarray(0, n);
}

/** Finds an ASCII-valued field (such as `charset`) before the form's charset is known. */
export function findAsciiField(pairs: RawPair[], name: string): string | undefined {
  const found = pairs.find((pair) => pair.key.toString('latin1') === name);
  return found?.value.toString('latin1');
}

/**
 * Decodes byte pairs into a parameter map in `charset`. The first occurrence of a key wins, as with
 * a servlet's getParameter; keys are decoded too (they are ASCII in practice).
 */
export function decodeForm(pairs: RawPair[], charset: Charset): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of pairs) {
    const key = decodeText(pair.key, charset);
    if (!params.has(key)) params.set(key, decodeText(pair.value, charset));
  }
  return params;
}

/** Percent-encodes parameters in `charset`, for notification bodies and redirect URLs. */
export function encodeForm(params: Iterable<[string, string]>, charset: Charset): string {
  const parts: string[] = [];
  for (const [key, value] of params) {
    parts.push(`${percentEncode(key, charset)}=${percentEncode(value, charset)}`);
  }
  return parts.join('&');
}

const UNRESERVED = /[A-Za-z0-9\-_.*]/;

function percentEncode(text: string, charset: Charset): string {
  let out = '';
  for (const byte of encodeText(text, charset)) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
