/** RSA-2048 key pairs for the platform and for apps created without a key of their own. */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface RsaKeyPair {
  /** PKCS#1 PEM (`RSA PRIVATE KEY`), which the official Node SDK expects by default. */
  privateKeyPem: string;
  /** SPKI PEM (`PUBLIC KEY`). */
  publicKeyPem: string;
}

export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
