/**
 * @peculiar/x509, loaded the one way it works here. Import the library from this module, never directly:
 *
 * - Its dependency-injection container (tsyringe) throws at load time unless `Reflect.getMetadata`
 *   exists — normally the `reflect-metadata` polyfill, which tuikuan does not depend on. tsyringe only
 *   reads and writes per-class metadata (`getMetadata`, `getOwnMetadata`, `defineMetadata`), so a
 *   small WeakMap-backed version is installed first — unless a real polyfill is already present — and
 *   the library is imported afterwards, dynamically, since a static import would run before this module's body.
 * - Its crypto is set to Node's webcrypto, so keys and signatures are Node's own.
 */
import { webcrypto } from 'node:crypto';

/** The part of the `reflect-metadata` API that tsyringe calls. */
interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: object): void;
  getOwnMetadata(key: unknown, target: object): unknown;
  getMetadata(key: unknown, target: object): unknown;
}

function installReflectMetadata(): void {
  if ((Reflect as Partial<ReflectMetadata>).getMetadata) return;
  const tables = new WeakMap<object, Map<unknown, unknown>>();
  const tableOf = (target: object): Map<unknown, unknown> => {
    let table = tables.get(target);
    if (!table) tables.set(target, (table = new Map()));
    return table;
  };
  const metadata: ReflectMetadata = {
    defineMetadata: (key, value, target) => void tableOf(target).set(key, value),
    getOwnMetadata: (key, target) => tables.get(target)?.get(key),
    // Like reflect-metadata: a class inherits the metadata of the classes it extends.
    getMetadata: (key, target) => {
      for (let at: object | null = target; at; at = Object.getPrototypeOf(at) as object | null) {
        const table = tables.get(at);
        if (table?.has(key)) return table.get(key);
      }
      return undefined;
    },
  };
  for (const [name, value] of Object.entries(metadata)) {
    Object.defineProperty(Reflect, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

installReflectMetadata();

export const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(webcrypto as Crypto);

/**
 * A certificate that also shows its ASN.1 structure: the library's friendly getters translate away the
 * raw facts the SN rules depend on — the signature algorithm's OID, each issuer attribute's OID — and
 * that tests check, such as PrintableString vs UTF8String.
 */
export class DecodedCertificate extends x509.X509Certificate {
  get structure() {
    return this.asn;
  }
}
