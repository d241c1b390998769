/**
 * The gateway's own errors (Alipay's 公共错误码), raised before any method runs.
 * Codes and sub_msgs from Alipay's public error table (protocol-notes §2.1).
 */
import { errorFamily, type ResultCode } from './openapi-error.js';

const GATEWAY_ERRORS = {
  'isp.unknow-error': ['20000', '服务暂不可用（业务系统不可用）'],
  'aop.unknow-error': ['20000', '服务暂不可用（网关自身的未知错误）'],
  'aop.invalid-auth-token': ['20001', '无效的访问令牌'],
  'aop.invalid-app-auth-token': ['20001', '无效的应用授权令牌'],
  'isv.missing-method': ['40001', '缺少方法名参数'],
  'isv.missing-signature': ['40001', '缺少签名参数'],
  'isv.missing-signature-type': ['40001', '缺少签名类型参数'],
  'isv.missing-app-id': ['40001', '缺少appId参数'],
  'isv.missing-timestamp': ['40001', '缺少时间戳参数'],
  'isv.missing-version': ['40001', '缺少版本参数'],
  // Certificate mode (notes §10.4): an app in certificate mode must name its certificate and Alipay's root.
  'isv.missing-alipay-root-cert-sn': ['40001', '缺少支付宝根证书序列号'],
  'isv.invalid-parameter': ['40002', '参数无效'],
  'isv.invalid-method': ['40002', '不存在的方法名'],
  'isv.invalid-format': ['40002', '无效的数据格式'],
  'isv.invalid-signature-type': ['40002', '无效的签名类型'],
  'isv.invalid-signature': ['40002', '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配'],
  'isv.missing-signature-config': ['40002', '验签出错, 未配置对应签名算法的公钥或者证书'],
  'isv.invalid-app-id': ['40002', '无效的AppID参数'],
  'isv.invalid-timestamp': ['40002', '非法的时间戳参数'],
  'isv.invalid-charset': ['40002', '字符集错误'],
  'isv.invalid-encrypt-type': ['40002', '无效的加密类型'],
  'isv.missing-app-cert-sn': ['40002', '缺少应用公钥证书序列号'],
  'isv.app-cert-not-exist': ['40002', '应用公钥证书不存在'],
  'isv.invalid-alipay-root-cert-sn': ['40002', '无效支付宝根证书序列号'],
  // AES content encryption (notes §11.4); a ciphertext the app's key cannot open is 40003, as the live gateway answers.
  'isv.decryption-error-not-valid-encrypt-key': ['40002', '解密出错, 未配置加密密钥或加密密钥格式错误'],
  'isv.decryption-error-unknown': ['40003', '解密出错, 未知错误'],
  'isv.insufficient-isv-permissions': ['40006', 'ISV权限不足'],
} as const satisfies Record<string, readonly [ResultCode, string]>;

export type GatewayErrorName = keyof typeof GATEWAY_ERRORS;

export const gatewayError = errorFamily<GatewayErrorName>(GATEWAY_ERRORS);
