/**
 * The reply of the v1 gateway: `{"<method>_response":{…},"sign":"…"}`, HTTP 200 whatever happened.
 * The signature covers exactly the bytes of the response node as sent (from its `{` to its `}`), so the
 * node is serialised once, signed, and spliced into the body; `sign` comes last and `/` is never escaped,
 * which is what every official SDK's extraction expects (protocol-notes §3.2).
 *
 * Certificate mode adds `"alipay_cert_sn"` between the node and `sign` (notes §10.3.2: the PHP and Go SDKs cut
 * the signed content there). AES content encryption (notes §11.2) replaces the node by a JSON string of its
 * ciphertext; the signature then covers that string with its two quotes.
 */
import { aesEncrypt } from '../aes-content.js';
import { encodeText, type Charset } from '../charset.js';

/** `alipay.trade.refund` → `alipay_trade_refund_response`. */
export function responseNodeName(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

/** The node used when there is no method to name one (`isv.missing-method`). */
export const ERROR_NODE_NAME = 'error_response';

/** Signs the node's bytes: synchronously, or on another thread (the gateway signs on libuv's pool). */
export type NodeSigner = (content: Buffer) => string | Promise<string>;

export function encodeUnsignedResponse(nodeName: string, node: Record<string, unknown>, charset: Charset): Buffer {
  return Buffer.concat([encodeText(`{${JSON.stringify(nodeName)}:`, charset), encodeText(JSON.stringify(node), charset), Buffer.from('}')]);
}

export interface ResponseExtras {
  /** The SN of the platform certificate that signs, for an app in certificate mode. (Default: none) */
  alipayCertSn?: string;
  /** The app's AES key, when the request asked for encryption and the node is to be sent encrypted. (Default: none) */
  aesKey?: Buffer;
}

export async function encodeResponse(
  nodeName: string,
  node: Record<string, unknown>,
  charset: Charset,
  signer: NodeSigner | null,
  extras: ResponseExtras = {},
): Promise<Buffer> {
  if (!signer) return encodeUnsignedResponse(nodeName, node, charset);
  const plain = encodeText(JSON.stringify(node), charset);
  // Encrypted, the node is a string of base64 (no character JSON would escape): its bytes are ASCII.
  const nodeJson = extras.aesKey ? Buffer.from(JSON.stringify(aesEncrypt(plain, extras.aesKey))) : plain;
  const head = encodeText(`{${JSON.stringify(nodeName)}:`, charset);
  const certSn = extras.alipayCertSn ? `,"alipay_cert_sn":${JSON.stringify(extras.alipayCertSn)}` : '';
  const tail = encodeText(`${certSn},"sign":${JSON.stringify(await signer(nodeJson))}}`, charset);
  return Buffer.concat([head, nodeJson, tail]);
}
