/**
 * The demo world (`serve --demo`): a merchant, an app in public-key mode (with an AES key), an app in
 * certificate mode, a buyer with funds in every channel, and a few paid trades, with FIXED credentials — the same app ids, keys, passwords and
 * platform key on every machine and in every fresh data dir, like LocalStack's and stripe-mock's, so that a
 * test configuration written against it never changes. FOR TESTS ONLY: these private keys are public.
 */
import type { SeedFile } from '../seed-file.js';

/** The demo's private keys, which demo.json hands to the merchant's SDK (the store keeps only public keys). */
export const DEMO_KEYS = {
  appPrivateKey: `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA3EIty0MASrcFv7j+HnijLc7EN3Yy6qJxiMQmYL09aWsHIZIh
o0oTpQ03XtVNQ2T3wOILo+BCDSFRNUS9buReKPLS5nmqjC/R6bnyAKAfFcUSkaVH
rpGtjDLcIcm9LIwfmNLZhzRC8/xgkSudD06Vv26r3gIW2CAp3Pb3R1LYEsMpixmF
TOOVkIEKxNexmFYPQEB65tKDndrhorE4j9MZ/IIe16dIOu+ObNJXj/WIW62GlxMr
4aa3i1ismlnV85TbzpjrDqQPlSP95vzNvEg6MtGeLXpwts5UMzYGJBa/Q1pTNiuu
LZiXGqFbXTIDejRANlwbwGIrKvyqzyVoSTb6tQIDAQABAoIBAAIzvBGyD3U9/oe4
SaaQj8H6Q1grDVt9Lkdn4UyRonM2lfFVM+g5sUKWZ8tsmBG2we54FBXvrplfrHS7
Gt+FD94ot1baVMT07Bpz/8zXWzSmLhV1IpH/rU2C+Y0ce8mWyQ0ybZNwI/1yCboC
uGTvVsF9iovm5arnuE4YBgGLGX4nZieuhQLBuPzuvlLHmBF9zzuF97EYnOEe+gjt
2R0rGP+WPMfv94yuekEK/ICXUCz0imismXd/KqkTH+LtWl5soDZhTvgzNXrGKR8G
3pCSQNohCTpp5ZrFGt04Y6CgbVeqmI+izHn2aKUyfs3g6xwrgmCzQY/OPbdyuREE
sRtWOwECgYEA/HA9JltkKQ25sWAegkLojl9bmxgmgd3QaY3Bch2GPUVKjfTO7Phm
IKuDybWWYWwkih98Xau0h13o6rxBk+Vf6/Cx+ofUkX06ssMrsjTxBGI+eNX0x4zy
AUSipmqF6G8UO1tX7CsAOiD3aJsKyKVPujrRM1wDC1bh2TPFFjGOefUCgYEA3122
Sd4RClFOpqLKkM2u3AASi94B7bYGi2S64faUma5E1iWJlzgFQ77/uN2c415jxSnK
q8p4nepRpQWXxfwE72MPWYPVC1Go0whiWYW3+8waicuDZXDdo5gsgPjh5rmOXzhe
lrEGkMoSqD9rCyyabB0zHQbPI9tmXxnBg7N2RcECgYEA8UyEV0bizg9Nogxj/VXh
oD3sfasvG9IgptUWxXMNX0H9ywXoSkICtVXdipEmJwfNQa5pHczEquSMgNzkvm9y
KkEQj48JFO0kj73Z5eWPQQZ7+tthuOG0bpvh8bs/Nvf+2eItgBV2iRn8BKS3QSYr
uLMCR9q7Gjq5dfpzeQxzyYUCgYB7DfykG0QWBA8pfFvOhJIFv8B377nuRK68UqUm
YZsiQ0DHHWz8sy8rUGk/Zk/Nby3V7B0soWHr1bBfEoK33wy0+UT2kstm7fjtMhxE
p4dhn+Mq8MSVuSVRwD8cWoDRhH5r9PkfWa19TOYUbMPDJzJ3x2pmXl71qSRv1hen
P9IzwQKBgHSUOaUUJRSPILa8SWZVUVfG0iBAyVgQiaFQunm0mOMQ1PdNJ8oR6qIP
HMKJpz8Ptck4tazJ9yUx3oR/jI6ArqLL59k1lbquZTO/NAxFn5puBYES+K0x0E+q
vfutozW4MQXgKoUJ3cJBfygI6P4sn+LX4A4iNRNngRMBEzM7XCMa
-----END RSA PRIVATE KEY-----`,
  certAppPrivateKey: `-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEA06FXjwRTsoCqysAl+0U91cejvhdGQO5V0Lfz1pGP66c6gx95
PxlAlQlAsT8U+BPEUGHLRe26lplcc408fl23Do/MxVAEYGAlSdch5fJ0KltA+sqj
9EAqB2+hdXKULHf4Y1hclLwYM8YtrBnxJYh5DuTxU4D8BSYQxEayPX6iFKtItApU
Kl8v7n45hz5s8tTmDudAkp5kyWq+IGb1eJh0Ev+TZXhs24jjLzDH7s1vIx5xb+ZV
eRWr/Hxeb4AfiwjI2K+Acmotgkbh5aN8mV6tBZshOIirt3+t+X8bmNSt102c8pBa
8dkHLBt4aVJiXXqc4+t5lLHGcHz0NenwcJX5XQIDAQABAoIBAA0tFMF/wyJFpoc8
aAuj56dWva1zz4OdaH8NOkOYCSjiiYm+Z5MeebSNwJcIgWq3Ta1fhANqO11tq6GP
dT5ni/fTy4EBbAmqvXJCewbRDfB71qjb/ac9viAmZXFlh9ouQgBqxkuFsSVlZ6nj
wkLUTg03rdrFbhYipOqY0uIcme9wDuZGHDOa0ILE8TQzMvIyy7qWSuwDWYOSnZYj
jXps82uKl7F22/P2f7H+BVwy+gWrj2uaMM5ungAWndVd0Ic378GNpRWoY5IoTfZg
6ffEI+1G4pyzFXoSy+QUazZFKGVxfZ+V3qp4UtLg/n6EvnaLioK7xt+7Vn3oWqej
tTA8CpUCgYEA+gH1mEekbOniGGPZ+r/7ySZksq6u9WiI+VPpHIuVWmOrILrT6hnO
/cE7c8xoRLbCw7bk+lWOdowycsEOczIP16ocXUdxrOJpcfx9ydeH+z2JeOrj6ukx
fykwT3zPeAiwcD+yT4yW4dfVCDTmCnmKVkBGytlsEqaeFOavdKxMo7MCgYEA2LPm
XDRFAzTJYzcmrgxs9Cp9e3JRK/rLvK3NknMEyHft/+65ACSuOiO2gPrI/fZ5mZKs
tw47lHdhqYNCWl2Am8MY0TCGXTRw6Q+CktJad7iKy1vySeddAzz0OWwITizbQxeT
blCuKmYACqNv5lV0shMdOwyHNa/NJPOFjVvEpq8CgYAeLq5fvAZ1v6a0Gxnt08+p
8SCnEb+9kOk4cJDsCU32o6G9SdDbqlH7AKEU0dCkuwu4ZRQvxLR2S2arw/LipWCU
QM071aw7mvnv8POeso6QHlXCa1kouw5ms6pJbl/9tc7XPllgkTCGA3CMlRZQnWu+
DfR9+NG7TrI3A8Ka61I1UQKBgH0MQvAOEYzqFxQzrRRegzjalBJ6QzD3xj2YpbnO
uYHdAu/fF85nXEqcdSI0lWtHoZ/nLddsVSE1SpwA7Hcs4ZwAlv+P2tlJ+6Xhl12W
GTJgwWbcJhJTei72K5A/MQO7isNKhX7w+6/nsDpzWY023uIreYCrmBJ44g5ioDyU
KgRtAoGAAbo+Tyo2O4a40ufm6/m95i1EMG00Uw0af99cDRqGKgcmr72eaSDfeajm
/7CBHzU4UNJnC63IU7IPSwIuTmW5L2vZfGC/cd+py3GknXbyHoF5mZhDrHOoDau+
RU02UuVLPBrR1HCsKIzhN+Lq6wuqD/gnNPEGvcbFsmR8cVh/QgE=
-----END RSA PRIVATE KEY-----`,
} as const;

export const DEMO_MERCHANT = {
  pid: '2088621000000001',
  email: 'demo-seller@alitest.com',
  md5Key: 'tuikuandemomd5key000000000000001',
  loginPassword: 'demo-login',
  paymentPassword: '123456',
} as const;

/** The demo buyer: Alipay's sandbox buyers pay with 111111 too. */
export const DEMO_BUYER = {
  buyerUserId: '2088621000000101',
  logonId: 'demo-buyer@alitest.com',
  loginPassword: 'demo-buyer-login',
  paymentPassword: '111111',
} as const;

export const DEMO_APP_ID = '2021000100000001';
export const DEMO_CERT_APP_ID = '2021000100000002';
/** AES-128, base64: the demo app's content-encryption key. */
export const DEMO_AES_KEY = 'dHVpa3VhbmRlbW9hZXNrZQ==';

export const DEMO_SEED: SeedFile = {
  platform: {
    private_key: `-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAtSBnTYpVmESgRZTtHVne8Ynryf7pIGpbd0NbIP0bJTXexedK
exccCex74q9Uu+2CS7wVMx2BCi29h5ALLlVp3nA0z8MtN6quYxUwi1XbJs9GphvB
D0b2iRqSPF0BBjCUj72LeI1VoQp+r1AIPJ27yfWvOS563/YncQWyBDwG8A6HeTws
rAsOjCe9+53VZ/BwNbp2xFFUKLTUpProqeF/QnpsTgedvd9tAvgDWzbi+D1PudiM
XLc4DPZ8x0SeU4pkefgUi/PiWQApWjbpr1Y9PnwJ07FbEjPBkuo2GZdTYWLHZihU
hM2HXVMevuGgVQmAnoiirnz2U62Pr4auZlPnzQIDAQABAoIBAAlfVakclS3/+fEi
Fpxhs1iLlkVk6OO7KJrperR779KVmfWHgwIzs9teLIhbavRn8KUCLd5dm9RqOIEb
Wz54v7XCs1e/cWLoGSq1hMYv2VtO93ZFZKv7xo8QXCM+faFvAfawuiAMdnw3dOEo
MGF+mNkZ2vbRBB1psCil0yfZFMFkvklHP5KA7sBLT+H/tFDnDwU5itOXFXMBwg7v
/Fj8ddrrtUpcudw8C319Jh3Rn6yM6x4o0gRUKXp4VrzhxAcR6QfhWxoLn1BnI3sS
Tz8e0Wtltv/lAOprDjmBdMK3rbo2+h3uQAZ5LawfzPc2osh8g5LQJg3tm7GI1M+3
iN6+xwsCgYEA94RmVs0xPvXOB6W0KZyjf5i1KhiRH4ss925c22PWAg8M11eBsPqd
BiXCsGaVZF/u7b4KzWS41vhXQuH2FIc0Hiv6/1CbX/30au7ld/nS7Xa1ZVrlkCEv
ZOjIpfHkW3XpfT5+dRR1pqEoUbH5l2KKSXFTiKSMKwYiocSb0NkrnC8CgYEAu1WG
BxYsWZB9Z7/cVC+vBFZ4qMYdNInVfpKpjwD/X86MU+m3N/ragZ9ZwBrHIx8KwNiX
uFuIwpNdrjJ2PHoxe3Lbgf4CkepRL71U1rgGspL2C/LQNP5WcLaOl698tkjdjVCf
ABORX5qm64O+42HU81dO6E6mg69sX469l6H3EMMCgYEAnaY4wKSk7yMEfR5vp+la
wdRz30ISfPLaSyaCAkKOdnU7ipTzx9N33AiE/nH4SRxJRCe9HaE/kbxPaAwf/mc3
LNh6X8/phrRrzwgmI8p9LD5lvw6sFKbuVullkzyEZDSv6NO7G7tSTDVtRsuC24cp
6SlDOU8E8ApSWJKvY9BO1IUCgYEAsxFEJT//srlX9jVCccKGxFm3ynRddFwQlIWy
yHxGn5j7MDbmqP8DoQXmL6gpFBxXFhGzrUjpyDw/PwUDWjnfVMZspqxcXoghhMWw
8/JCjK3HvZIjjZRUojcOxFW9myy5gpw+8D7EJiPZTKTJceaRPO4HAi40IworSIhU
GD58wSsCgYA4y5gguR5+cQoqE5dXu1Th6T3U5126D8aoXUwf/EDE2LxFhSW14fU/
kMMaCXU8cd8zvPMFy3lUekpO282uJBCfIpLpthpbI1ugBPA2h2TuS7+sOJJ+4L7y
Sma8lFdgELlgDbdRSvWlCKK8yIr1WQu0vLB7X8OYbE7CsC0RT/ajXg==
-----END RSA PRIVATE KEY-----`,
    ca_private_key: `-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEA1wO8McFLdWXAKPCGjR35/z2Ii7RmUceJhJ9l47Sn8zfXuAGZ
hI0Nv6Y7Wlq/8mE2QHMNDfZxrE7EcOtuSYykZ18Ie32mnTY3ln9dsDzXuXH8ywzh
m4kkE0jCSHPGHiIkwiiy0cOtszbhSvPI+2aI7AQUMar3ADYmMJ53mlB4F3b3NeWW
aunDL2FQWCD9dSULlfFrXINa50EPbAtc9hGljEVFcJ9N58L/tSxJvst3MLlwr/8O
k4qdDi1oHHeQBM+hwnesatxeEqRsl/ZFmEUCySbq9TBnW7OVaKx5z6WVmbvchrrL
h9qzwpKW71D5UG/p7imIgxZZc53tMlI511kIhQIDAQABAoIBAEpaYU73X+fF+vBt
VKoiDpyEI97j0GpBTT3OfUaD53xE+FUKQJNEz9dRXb7+GNhxY3hgEMieS2rhhi7i
Sy4l84hHpcBGkEJXSFvDyZszPwpC778rwiyt/QqqI304g+9RsVJvDn9ZYozR0pC/
wuWk7H5pXq5aR7YMA6LWedekMhMyjtisu4M9ulym3KAaiZXOyfkC3CZFMr//RqD4
w+CcaYv64elMSZoq6JpfdeinUWnALAVgabjI9XgiXF1+pm3XOqr4qfV5ERn+oigg
3vwCvE4T3HHPaYkE15H7KQKDqGIe+nGXRjtxOPUcnMr9F3ZmsAVEfjEAAixTBoFo
ISWpo1UCgYEA+9OHjUY1xuynUtbtfFlH6+dnwFPTJGp7wBTszdm0m3ICdq+nsi31
G0HoJ1UtNKbAo4Eeq46XGteAVuVUkm3ENieBPbioBs/OyV65W7R9CxXr5Ogte5wV
NFJBLuKsE4OjmwYOKsXpHDMS0k+U8Cb1Q1auOL2ihY8C5EX8m5vkWvsCgYEA2pQE
jBBMxHz/8WJwxAiOBU7aCXSMpEU9VWRjPXWe54KNNDZAMnnxSQDqpQ9n/lJsUQAm
zfp44ILV0T+BvejDagtR1CS48uJ15DY7n+cVK/rYUFNL4KPFGFf727iFII9DI+O4
aWB0XzlQ3k3c4RndzUIcyC41cxU+Yy8ncf/q0n8CgYAkDeH/aQj0BRfjtV/lCMdS
UBw7ngTB1vkGxDgvNLc19jnCEl4ZFZldIK+DSh+hxSoZfrgMaerabfYy+ryEBnEs
K7XGR3TPHNuHWyeAqLOqbaYLbO5uHyeuCQTKGKv4U0WOQWyv1QwN/IX6VGiHhZxh
2rww5X2qT5Jjal3DTauBFwKBgF79TpCUENifPhdn4XvAAABciTLsvKYzFPmEPACc
micgPD9BiFqnVe2VAWQkMtx6c2osN7DyNg/TrBpYkAi5HBt8ud4I63taYUOBMh5G
rZPEWrdly6bfZSs0KVcOdIR23gW91AmvikNLxFIn4mLM+/BU1+9C7aWKyOcPugO3
5RP/AoGAL7mM7t0wHzYMNg61Q05rRjAvU6wAXenG6iy6vMVPbDwR29l5lOjlJMVJ
Zb2qKkaBT6mDE7XyqXVHT9K32NqhGJEQ2jd6Tj7dGhy4C3DJl03MD7qj1qEI461F
5izsMcuMTMFwoYyViCQ3snfQuq6O8FkrWGiXngWzxvyHHpwcsas=
-----END RSA PRIVATE KEY-----`,
  },
  merchants: [
    {
      pid: DEMO_MERCHANT.pid,
      name: '演示商户',
      email: DEMO_MERCHANT.email,
      md5_key: DEMO_MERCHANT.md5Key,
      login_password: DEMO_MERCHANT.loginPassword,
      payment_password: DEMO_MERCHANT.paymentPassword,
      balance: '10000.00',
    },
  ],
  buyers: [
    {
      buyer_user_id: DEMO_BUYER.buyerUserId,
      logon_id: DEMO_BUYER.logonId,
      name: '演示买家',
      login_password: DEMO_BUYER.loginPassword,
      payment_password: DEMO_BUYER.paymentPassword,
      funds: {
        balance: '1000.00',
        yuebao: '5000.00',
        huabei_limit: '2000.00',
        points: '10.00',
        bank_cards: [
          { bank_code: 'ICBC', fund_type: 'DEBIT_CARD', card_tail: '6688' },
          { bank_code: 'CMB', fund_type: 'CREDIT_CARD', card_tail: '1234', available: '20000.00' },
        ],
        coupons: [
          { voucher_id: '2026010100073002039000000RP1', fund_channel: 'COUPON', name: '支付宝红包', amount: '5.00', expires_at: '2036-12-31 23:59:59' },
          {
            voucher_id: '2026010100073002039000000MD1',
            fund_channel: 'MDISCOUNT',
            name: '演示商户满100减10',
            merchant_pid: DEMO_MERCHANT.pid,
            amount: '10.00',
            expires_at: '2036-12-31 23:59:59',
          },
        ],
      },
    },
  ],
  apps: [
    {
      app_id: DEMO_APP_ID,
      pid: DEMO_MERCHANT.pid,
      app_public_key: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3EIty0MASrcFv7j+Hnij
Lc7EN3Yy6qJxiMQmYL09aWsHIZIho0oTpQ03XtVNQ2T3wOILo+BCDSFRNUS9buRe
KPLS5nmqjC/R6bnyAKAfFcUSkaVHrpGtjDLcIcm9LIwfmNLZhzRC8/xgkSudD06V
v26r3gIW2CAp3Pb3R1LYEsMpixmFTOOVkIEKxNexmFYPQEB65tKDndrhorE4j9MZ
/IIe16dIOu+ObNJXj/WIW62GlxMr4aa3i1ismlnV85TbzpjrDqQPlSP95vzNvEg6
MtGeLXpwts5UMzYGJBa/Q1pTNiuuLZiXGqFbXTIDejRANlwbwGIrKvyqzyVoSTb6
tQIDAQAB
-----END PUBLIC KEY-----`,
      aes_key: DEMO_AES_KEY,
    },
    {
      app_id: DEMO_CERT_APP_ID,
      pid: DEMO_MERCHANT.pid,
      key_mode: 'cert',
      app_public_key: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA06FXjwRTsoCqysAl+0U9
1cejvhdGQO5V0Lfz1pGP66c6gx95PxlAlQlAsT8U+BPEUGHLRe26lplcc408fl23
Do/MxVAEYGAlSdch5fJ0KltA+sqj9EAqB2+hdXKULHf4Y1hclLwYM8YtrBnxJYh5
DuTxU4D8BSYQxEayPX6iFKtItApUKl8v7n45hz5s8tTmDudAkp5kyWq+IGb1eJh0
Ev+TZXhs24jjLzDH7s1vIx5xb+ZVeRWr/Hxeb4AfiwjI2K+Acmotgkbh5aN8mV6t
BZshOIirt3+t+X8bmNSt102c8pBa8dkHLBt4aVJiXXqc4+t5lLHGcHz0NenwcJX5
XQIDAQAB
-----END PUBLIC KEY-----`,
    },
  ],
  trades: [
    { trade_no: '2026010122001000000000000001', app_id: DEMO_APP_ID, out_trade_no: 'DEMO1', total_amount: '100.00', subject: '演示订单：全部余额支付' },
    {
      trade_no: '2026010122001000000000000002',
      app_id: DEMO_APP_ID,
      out_trade_no: 'DEMO2',
      total_amount: '88.88',
      subject: '演示订单：余额与银行卡',
      fund_bill_list: [
        { fund_channel: 'ALIPAYACCOUNT', amount: '50.00' },
        { fund_channel: 'BANKCARD', amount: '38.88', fund_type: 'DEBIT_CARD', bank_code: 'CMB' },
      ],
    },
    {
      trade_no: '2026010122001000000000000003',
      app_id: DEMO_APP_ID,
      out_trade_no: 'DEMO3',
      total_amount: '200.00',
      subject: '演示订单：使用商户优惠券',
      voucher_detail_list: [
        {
          id: '2026102600073002039000002D5O',
          name: '满200减20',
          type: 'ALIPAY_FIX_VOUCHER',
          amount: '20.00',
          merchant_contribute: '20.00',
          other_contribute: '0.00',
        },
      ],
    },
    { trade_no: '2026010122001000000000000004', app_id: DEMO_CERT_APP_ID, out_trade_no: 'DEMO4', total_amount: '66.66', subject: '演示订单：证书模式应用' },
  ],
};
