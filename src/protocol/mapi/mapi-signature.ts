/**
 * MAPI signatures (protocol-notes §6): the sign content is every parameter but `sign` and `sign_type`,
 * empty values dropped, sorted, `k=v&k=v`, as bytes in `_input_charset`. MD5 appends the partner's key
 * (no `&key=`) and compares lowercase hex; RSA is SHA1withRSA and DSA SHA1withDSA with the partner's
 * registered public key.
 */
import { encodeText, type Charset } from '../charset.js';
import { signContentWithoutSignType, type Params } from '../sign-content.js';
import { dsaVerify, md5Verify, parsePublicKey, rsaVerify } from '../signing.js';

export type MapiSignType = 'MD5' | 'RSA' | 'DSA';

export function parseMapiSignType(value: string | undefined): MapiSignType | null {
  // Seed 002: "DSA、RSA、MD5三个值可选,必须大写" — lower case is refused.
  return value === 'MD5' || value === 'RSA' || value === 'DSA' ? value : null;
}

export interface PartnerKeys {
  md5Key: string;
  rsaPublicKey: string | null;
  dsaPublicKey: string | null;
}

export function verifyMapiSignature(params: Params, charset: Charset, signType: MapiSignType, sign: string, keys: PartnerKeys): boolean {
  const content = encodeText(signContentWithoutSignType(params), charset);
  switch (signType) {
    case 'MD5':
      return md5Verify(content, encodeText(keys.md5Key, charset), sign);
    case 'RSA': {
      const key = keys.rsaPublicKey ? parsePublicKey(keys.rsaPublicKey) : null;
      return key !== null && rsaVerify(content, sign, key, 'RSA');
    }
    case 'DSA': {
      const key = keys.dsaPublicKey ? parsePublicKey(keys.dsaPublicKey) : null;
      return key !== null && dsaVerify(content, sign, key);
    }
  }
}
