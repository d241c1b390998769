/** The official SDK over OpenAPI v3 (`curl()`), pointed at a test server, and the error it rejects with. */
import assert from 'node:assert/strict';
import { AlipaySdk } from 'alipay-sdk';
import type { Harness, MerchantKit } from './harness.js';

/** The SDK of `kit`, pointed at the v3 endpoint (`endpoint`, beside v1's `gateway`). */
export function v3Sdk(harness: Harness, kit: MerchantKit, endpoint = harness.tuikuan.url): AlipaySdk {
  return new AlipaySdk({ appId: kit.appId, privateKey: kit.appPrivateKey, alipayPublicKey: harness.tuikuan.platformPublicKey, endpoint, gateway: harness.tuikuan.gateway });
}

/** The AlipayRequestError a call rejects with. */
export async function v3Error(call: Promise<unknown>): Promise<{ code: string; message: string; responseHttpStatus: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name?: string; code: string; message: string; responseHttpStatus: number };
    assert.equal(e.name, 'AlipayRequestError', String(error));
    return e;
  }
  assert.fail('the call succeeded');
}
