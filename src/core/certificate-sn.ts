/**
 * Alipay's certificate serial numbers (SN): how `app_cert_sn`, `alipay_cert_sn` / `alipay-sn` and
 * `alipay_root_cert_sn` are derived from certificate files (protocol-notes §10.1).
 *
 * A certificate's SN is `md5(issuerDN + serialDecimal)` in lowercase hex, the issuer DN written in
 * reversed DER order as `CN=…,OU=…,O=…,C=…`. This module reproduces alipay-sdk's `getSN` exactly —
 * attribute names, no escaping, one `k=v` per attribute — because merchants' SDKs compute the SN
 * themselves and the gateway compares strings: a near miss is a rejected request.
 */
import { createHash } from 'node:crypto';
import { DecodedCertificate, x509 } from './peculiar-x509.js';

/** Every PKCS#1 RSA signature algorithm; the only certificates counted in a root SN. */
const RSA_PKCS1_SIGNATURE_ARC = '1.2.840.113549.1.1';

/**
 * The attribute names alipay-sdk (through @fidm/x509) knows; any other attribute is written with an
 * empty name (`=value`), and so is it here.
 */
const SDK_ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
};

/** The SN of the first certificate in `pem`: `app_cert_sn` of an app file, `alipay_cert_sn` of the platform file. */
export function certificateSn(pem: string): string {
  const [first] = certificatesIn(pem);
  if (!first) throw new Error('no CERTIFICATE block in the PEM text');
  return snOf(first);
}

/**
 * `alipay_root_cert_sn` of a root file: the SNs of its RSA-signed certificates, in file order, joined
 * with `_`. Alipay's own root file also holds SM2 and ECDSA roots, which every SDK leaves out.
 */
export function rootCertificateSn(pem: string): string {
  return certificatesIn(pem).filter(isRsaSigned).map(snOf).join('_');
}

function certificatesIn(pem: string): DecodedCertificate[] {
  return x509.PemConverter.decodeWithHeaders(pem)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => new DecodedCertificate(block.rawData));
}

function isRsaSigned(certificate: DecodedCertificate): boolean {
  return certificate.structure.signatureAlgorithm.algorithm.startsWith(RSA_PKCS1_SIGNATURE_ARC);
}

function snOf(certificate: DecodedCertificate): string {
  return createHash('md5')
    .update(issuerPrincipal(certificate) + serialDecimal(certificate), 'utf8')
    .digest('hex');
}

/** Every issuer attribute, last first (the SDK flattens multi-valued RDNs), as `name=value`, comma-joined. */
function issuerPrincipal(certificate: DecodedCertificate): string {
  return certificate.structure.tbsCertificate.issuer
    .flatMap((rdn) => [...rdn])
    .reverse()
    .map((attribute) => `${SDK_ATTRIBUTE_NAMES[attribute.type] ?? ''}=${attribute.value.toString()}`)
    .join(',');
}

/** The serial's DER bytes read as an unsigned number, as the SDK reads them, in decimal. */
function serialDecimal(certificate: DecodedCertificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}
