/**
 * The official Node SDK's own helpers, which its package does not export: its AES routines and its
 * certificate SN rules, so tests can hold tuikuan's results against the SDK's, not against a copy.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const esmDir = join(dirname(createRequire(import.meta.url).resolve('alipay-sdk/package.json')), 'dist', 'esm');

const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(esmDir, file)).href)) as T;

export interface SdkAes {
  aesEncryptText(text: string, key: string): string;
  aesDecryptText(text: string, key: string): string;
}

export const sdkAes = (): Promise<SdkAes> => load<SdkAes>('util.js');

export interface SdkCertUtil {
  getSN(content: string | Buffer, isRoot?: boolean): string;
  loadPublicKey(content: string | Buffer): string;
}

export const sdkCertUtil = (): Promise<SdkCertUtil> => load<SdkCertUtil>('antcertutil.js');
