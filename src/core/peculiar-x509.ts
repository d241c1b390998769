/**
 * @peculiar/x509, with what it needs loaded first: its dependency-injection container (tsyringe) reads class
 * metadata through `reflect-metadata`, which must be in place before the library's modules run (imports are
 * evaluated in order). Its crypto is Node's webcrypto, so keys and signatures are Node's own.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };

/** The ASN.1 structure a certificate is decoded into (the library keeps it protected). */
type AsnOf<C> = C extends x509.PemData<infer T> ? T : never;

/**
 * A certificate that also shows its ASN.1 structure: the library's friendly getters translate away the
 * raw facts the SN rules depend on — the signature algorithm's OID, each issuer attribute's OID — and
 * that tests check, such as PrintableString vs UTF8String.
 */
export class DecodedCertificate extends x509.X509Certificate {
  // Named for the declaration files (tsc cannot name the inferred type from the library's own dependency).
  get structure(): AsnOf<x509.X509Certificate> {
    return this.asn;
  }
}
