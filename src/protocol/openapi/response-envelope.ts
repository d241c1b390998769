/**
 * The reply of the v1 gateway: `{"<method>_response":{…},"sign":"…"}`, HTTP 200 whatever happened.
 * The signature covers exactly the bytes of the response node as sent (from its `{` to its `}`), so the
 * node is serialised once, signed, and spliced into the body; `sign` comes last and `/` is never escaped,
 * which is what every official SDK's extraction expects (protocol-notes §3.2).
 */
import { encodeText, type Charset } from '../charset.js';

/** `alipay.trade.refund` → `alipay_trade_refund_response`. */
export function responseNodeName(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

/** The node used when there is no method to name one (`isv.missing-method`). */
export const ERROR_NODE_NAME = 'error_response';

export type NodeSigner = (content: Buffer) => string;

export function encodeResponse(
  nodeName: string,
  node: Record<string, unknown>,
  charset: Charset,
  signer: NodeSigner | null,
): Buffer {
  const nodeJson = encodeText(JSON.stringify(node), charset);
  const head = encodeText(`{${JSON.stringify(nodeName)}:`, charset);
  if (!signer) return Buffer.concat([head, nodeJson, Buffer.from('}')]);
  const tail = encodeText(`,"sign":${JSON.stringify(signer(nodeJson))}}`, charset);
  return Buffer.concat([head, nodeJson, tail]);
}
