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

/** Signs the node's bytes: synchronously, or on another thread (the gateway signs on libuv's pool). */
export type NodeSigner = (content: Buffer) => string | Promise<string>;

export function encodeUnsignedResponse(nodeName: string, node: Record<string, unknown>, charset: Charset): Buffer {
  return Buffer.concat([encodeText(`{${JSON.stringify(nodeName)}:`, charset), encodeText(JSON.stringify(node), charset), Buffer.from('}')]);
}

export async function encodeResponse(nodeName: string, node: Record<string, unknown>, charset: Charset, signer: NodeSigner | null): Promise<Buffer> {
  if (!signer) return encodeUnsignedResponse(nodeName, node, charset);
  const nodeJson = encodeText(JSON.stringify(node), charset);
  const head = encodeText(`{${JSON.stringify(nodeName)}:`, charset);
  const tail = encodeText(`,"sign":${JSON.stringify(await signer(nodeJson))}}`, charset);
  return Buffer.concat([head, nodeJson, tail]);
}
