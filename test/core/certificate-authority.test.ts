/**
 * tuikuan's certificate authority and Alipay's SN rules, checked against the official Node SDK's own
 * `getSN`, against Alipay's production certificate files (test/fixtures, from alipay-sdk-nodejs-all),
 * and against node:crypto's chain checks.
 */
import assert from 'node:assert/strict';
import { X509Certificate as NodeCertificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import {
  createCertificateAuthority,
  issueAppCertificate,
  issuePlatformCertificate,
  rootCertificateFile,
  type AppCertificateRequest,
  type CertificateAuthority,
  type PlatformCertificateRequest,
} from '../../src/core/certificate-authority.js';
import { certificateSn, rootCertificateSn } from '../../src/core/certificate-sn.js';
import { formatChinaDate } from '../../src/protocol/china-time.js';
import { DecodedCertificate, x509 } from '../../src/core/peculiar-x509.js';

/** alipay-sdk does not export its SN helper; load the module next to its entry point. */
interface AntCertUtil {
  getSN(content: string | Buffer, isRoot?: boolean): string;
}
const sdkCertUtil = (await import(new URL('./antcertutil.js', import.meta.resolve('alipay-sdk')).href)) as AntCertUtil;

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8');
const productionRootFile = fixture('alipayRootCert.crt');
const productionAppFile = fixture('appCertPublicKey_2021001161683774.crt');

function rsaKeyPair(type: 'pkcs1' | 'pkcs8' = 'pkcs1') {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type, format: 'pem' },
  });
}

/** 2026-01-01 20:00 UTC: already 2 January in China, where the serial's date is written. */
const NOW = Date.UTC(2026, 0, 1, 20, 0, 0);
const MINUTE = 60_000;
const caKey = rsaKeyPair('pkcs1');
const appKey = rsaKeyPair();
const platformKey = rsaKeyPair();

const appRequest: AppCertificateRequest = {
  now: NOW,
  publicKeyPem: appKey.publicKey,
  merchantName: '杭州测试商户有限公司',
  pid: '2088101122136241',
  appId: '2021000122671234',
};
const platformRequest: PlatformCertificateRequest = { now: NOW, publicKeyPem: platformKey.publicKey, pid: '2088101122136241' };

let ca: CertificateAuthority;
let rootFile: { pem: string; sn: string };
let appFile: { pem: string; sn: string };
let platformFile: { pem: string; sn: string };

before(async () => {
  ca = await createCertificateAuthority({ now: NOW, privateKeyPem: caKey.privateKey });
  rootFile = rootCertificateFile(ca);
  appFile = await issueAppCertificate(ca, appRequest);
  platformFile = await issuePlatformCertificate(ca, platformRequest);
});

const pemBlocks = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const nodeCertificates = (pem: string) => pemBlocks(pem).map((block) => new NodeCertificate(block));
const decoded = (pem: string) => pemBlocks(pem).map((block) => new DecodedCertificate(block));
function firstDecoded(pem: string): DecodedCertificate {
  const [first] = decoded(pem);
  assert.ok(first, 'a certificate');
  return first;
}
const spkiDer = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });

describe('a certificate SN is md5(reversed issuer DN + decimal serial), as the SDKs compute it', () => {
  it('gives the SN of Alipay production app certificate 2021001161683774', () => {
    assert.equal(certificateSn(productionAppFile), '866efef280dec9137a87d047ac446315');
    assert.equal(certificateSn(productionAppFile), sdkCertUtil.getSN(productionAppFile, false));
  });

  it('agrees with alipay-sdk getSN on our app file and on our platform file (its first certificate)', () => {
    assert.equal(appFile.sn, sdkCertUtil.getSN(appFile.pem, false));
    assert.equal(platformFile.sn, sdkCertUtil.getSN(platformFile.pem, false));
    assert.equal(platformFile.sn, certificateSn(pemBlocks(platformFile.pem)[0] ?? ''));
    assert.match(appFile.sn, /^[0-9a-f]{32}$/);
  });

  it('refuses text without a certificate', () => {
    assert.throws(() => certificateSn('no pem here'));
  });
});

describe('a root SN joins the SNs of the RSA-signed certificates, in file order, with _', () => {
  it('gives the SN of Alipay production root file, leaving out its SM2 and ECDSA roots', () => {
    assert.equal(pemBlocks(productionRootFile).length, 4);
    assert.equal(rootCertificateSn(productionRootFile), '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6');
    assert.equal(rootCertificateSn(productionRootFile), sdkCertUtil.getSN(productionRootFile, true));
  });

  it('agrees with alipay-sdk getSN on our root file, which holds the root alone', () => {
    assert.equal(rootFile.sn, sdkCertUtil.getSN(rootFile.pem, true));
    assert.equal(rootFile.sn, certificateSn(rootFile.pem));
  });

  it('keeps file order when a file holds several RSA roots', () => {
    const both = `${rootFile.pem}\n\n${productionRootFile}`;
    assert.equal(rootCertificateSn(both), `${rootFile.sn}_${rootCertificateSn(productionRootFile)}`);
    assert.equal(rootCertificateSn(both), sdkCertUtil.getSN(both, true));
  });
});

describe('the chains verify with node:crypto', () => {
  it('the root is self-signed, the intermediates are signed by the root', () => {
    const [root] = nodeCertificates(rootFile.pem);
    assert.ok(root);
    const class1 = new NodeCertificate(ca.appCertificateIssuer.toString('pem'));
    const class2 = new NodeCertificate(ca.platformCertificateIssuer.toString('pem'));
    assert.ok(root.verify(root.publicKey) && root.checkIssued(root));
    for (const intermediate of [class1, class2]) {
      assert.ok(intermediate.verify(root.publicKey));
      assert.ok(intermediate.checkIssued(root));
      assert.ok(intermediate.ca);
    }
  });

  it('the app certificate is signed by Class 1, the platform certificate by Class 2 (the second block of its file)', () => {
    const [appLeaf] = nodeCertificates(appFile.pem);
    const [platformLeaf, class2] = nodeCertificates(platformFile.pem);
    const class1 = new NodeCertificate(ca.appCertificateIssuer.toString('pem'));
    assert.ok(appLeaf && platformLeaf && class2);
    assert.ok(appLeaf.verify(class1.publicKey) && appLeaf.checkIssued(class1));
    assert.ok(platformLeaf.verify(class2.publicKey) && platformLeaf.checkIssued(class2));
    assert.ok(!appLeaf.checkIssued(class2), 'the app certificate names Class 1 as its issuer');
    assert.ok(!appLeaf.ca && !platformLeaf.ca);
  });

  it('each leaf carries the key it was issued for', () => {
    const [appLeaf] = nodeCertificates(appFile.pem);
    const [platformLeaf] = nodeCertificates(platformFile.pem);
    assert.ok(appLeaf && platformLeaf);
    assert.deepEqual(appLeaf.publicKey.export({ type: 'spki', format: 'der' }), spkiDer(appKey.publicKey));
    assert.deepEqual(platformLeaf.publicKey.export({ type: 'spki', format: 'der' }), spkiDer(platformKey.publicKey));
  });
});

describe('the official SDK loads the files as a merchant would', () => {
  it('computes the same three SNs and takes the platform key from the platform certificate', () => {
    const sdk = new AlipaySdk({
      appId: appRequest.appId,
      privateKey: appKey.privateKey,
      appCertContent: appFile.pem,
      alipayPublicCertContent: platformFile.pem,
      alipayRootCertContent: rootFile.pem,
      gateway: 'http://127.0.0.1:9/gateway.do',
    });
    assert.equal(sdk.config.appCertSn, appFile.sn);
    assert.equal(sdk.config.alipayCertSn, platformFile.sn);
    assert.equal(sdk.config.alipayRootCertSn, rootFile.sn);
    assert.deepEqual(spkiDer(sdk.config.alipayPublicKey), spkiDer(platformKey.publicKey));
  });
});

describe('the same inputs give byte-identical certificates', () => {
  it('re-creating the authority and re-issuing gives the same PEM, whether the key is PKCS#1 or PKCS#8', async () => {
    const pkcs8 = ca.privateKeyPem;
    assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----/);
    for (const privateKeyPem of [caKey.privateKey, pkcs8]) {
      const again = await createCertificateAuthority({ now: NOW, privateKeyPem });
      assert.equal(rootCertificateFile(again).pem, rootFile.pem);
      assert.equal(again.appCertificateIssuer.toString('pem'), ca.appCertificateIssuer.toString('pem'));
      assert.deepEqual(await issueAppCertificate(again, appRequest), appFile);
      assert.deepEqual(await issuePlatformCertificate(again, platformRequest), platformFile);
    }
  });

  it('a different certificate gets a different serial', async () => {
    const later = await issueAppCertificate(ca, { ...appRequest, validity: { notBefore: NOW, notAfter: NOW + 365 * 24 * 60 * MINUTE } });
    const otherApp = await issueAppCertificate(ca, { ...appRequest, appId: '2021000122679999' });
    const serials = [appFile, later, otherApp].map((file) => firstDecoded(file.pem).serialNumber);
    assert.equal(new Set(serials).size, 3);
  });

  it('generates a key when none is given, and hands it back to be kept', async () => {
    const fresh = await createCertificateAuthority({ now: NOW });
    const again = await createCertificateAuthority({ now: NOW, privateKeyPem: fresh.privateKeyPem });
    assert.equal(rootCertificateFile(again).pem, rootCertificateFile(fresh).pem);
    assert.notEqual(rootCertificateFile(fresh).sn, rootFile.sn);
  });
});

describe('serials stay below 2^127, as PHP needs', () => {
  it('leaf serials are 16 bytes starting with the China date of issue', () => {
    assert.equal(formatChinaDate(NOW), '20260102');
    for (const file of [appFile, platformFile]) {
      const serial = firstDecoded(file.pem).serialNumber;
      assert.match(serial, /^20260102[0-9a-f]{24}$/i);
      assert.ok(BigInt(`0x${serial}`) < 2n ** 127n);
    }
  });

  it('CA serials are 8 bytes with the top bit clear', () => {
    for (const certificate of [ca.root, ca.appCertificateIssuer, ca.platformCertificateIssuer]) {
      assert.match(certificate.serialNumber, /^[0-7][0-9a-f]{15}$/i);
    }
  });

  it('takes a given serial, and refuses one that is negative, too long or not minimally encoded', async () => {
    const given = await issueAppCertificate(ca, { ...appRequest, serialNumber: '2026010162039d4090897ba4d51c2126' });
    assert.equal(firstDecoded(given.pem).serialNumber.toLowerCase(), '2026010162039d4090897ba4d51c2126');
    assert.equal(given.sn, sdkCertUtil.getSN(given.pem, false));
    for (const serialNumber of ['80', '0001', `20260101${'00'.repeat(13)}`, 'abc', '', '2g']) {
      await assert.rejects(issueAppCertificate(ca, { ...appRequest, serialNumber }), RangeError, serialNumber);
    }
  });
});

describe('names are the four attributes C, O, OU, CN in DER order; C printable, the rest UTF-8', () => {
  const attributes = (name: DecodedCertificate['structure']['tbsCertificate']['issuer']) =>
    Array.from(name, (rdn) => {
      assert.equal(rdn.length, 1, 'single-valued RDN');
      const [attribute] = rdn;
      assert.ok(attribute);
      const kind = attribute.value.printableString !== undefined ? 'printable' : attribute.value.utf8String !== undefined ? 'utf8' : 'other';
      return `${attribute.type}:${kind}:${attribute.value.toString()}`;
    });
  const caDn = (cn: string) => ['2.5.4.6:printable:CN', '2.5.4.10:utf8:Tuikuan', '2.5.4.11:utf8:Certification Authority', `2.5.4.3:utf8:${cn}`];

  it('the CA certificates', () => {
    const [root] = decoded(rootFile.pem);
    const [, class2] = decoded(platformFile.pem);
    const class1 = new DecodedCertificate(ca.appCertificateIssuer.toString('pem'));
    assert.ok(root && class2);
    assert.deepEqual(attributes(root.structure.tbsCertificate.subject), caDn('Tuikuan Emulator Root CA R1'));
    assert.deepEqual(attributes(root.structure.tbsCertificate.issuer), caDn('Tuikuan Emulator Root CA R1'));
    assert.deepEqual(attributes(class1.structure.tbsCertificate.subject), caDn('Tuikuan Emulator Class 1 R1'));
    assert.deepEqual(attributes(class2.structure.tbsCertificate.subject), caDn('Tuikuan Emulator Class 2 R1'));
    assert.deepEqual(attributes(class1.structure.tbsCertificate.issuer), caDn('Tuikuan Emulator Root CA R1'));
  });

  it('the leaves, named like Alipay names them', () => {
    const app = firstDecoded(appFile.pem).structure.tbsCertificate;
    const platform = firstDecoded(platformFile.pem).structure.tbsCertificate;
    assert.deepEqual(attributes(app.subject), [
      '2.5.4.6:printable:CN',
      '2.5.4.10:utf8:杭州测试商户有限公司',
      '2.5.4.11:utf8:Alipay',
      '2.5.4.3:utf8:2088101122136241-2021000122671234',
    ]);
    assert.deepEqual(attributes(app.issuer), caDn('Tuikuan Emulator Class 1 R1'));
    assert.deepEqual(attributes(platform.subject), [
      '2.5.4.6:printable:CN',
      '2.5.4.10:utf8:Tuikuan',
      '2.5.4.11:utf8:Alipay',
      '2.5.4.3:utf8:支付宝(中国)网络技术有限公司-2088101122136241',
    ]);
    assert.deepEqual(attributes(platform.issuer), caDn('Tuikuan Emulator Class 2 R1'));
  });

  it('every issuer string is what the SN hashes: CN=…,OU=…,O=…,C=CN', () => {
    const [appLeaf] = nodeCertificates(appFile.pem);
    assert.ok(appLeaf);
    assert.equal(appLeaf.issuer.split('\n').reverse().join(','), 'CN=Tuikuan Emulator Class 1 R1,OU=Certification Authority,O=Tuikuan,C=CN');
  });
});

describe('extensions and algorithms are those of Alipay certificates', () => {
  const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
  const { KeyUsageFlags } = x509;
  const keyUsage = (certificate: DecodedCertificate) => {
    const extension = certificate.getExtension(x509.KeyUsagesExtension);
    assert.ok(extension);
    return { critical: extension.critical, usages: extension.usages };
  };
  const keyIds = (certificate: DecodedCertificate) => ({
    subject: certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    authority: certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
  });

  it('CA certificates: basicConstraints critical CA:TRUE, keyUsage critical keyCertSign+cRLSign, SKI/AKI chained', () => {
    const root = firstDecoded(rootFile.pem);
    const class1 = new DecodedCertificate(ca.appCertificateIssuer.toString('pem'));
    const class2 = new DecodedCertificate(ca.platformCertificateIssuer.toString('pem'));
    for (const certificate of [root, class1, class2]) {
      const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
      assert.ok(constraints);
      assert.equal(constraints.critical, true);
      assert.equal(constraints.ca, true);
      assert.deepEqual(keyUsage(certificate), { critical: true, usages: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign });
      assert.equal(keyIds(certificate).authority, keyIds(root).subject);
      assert.ok(keyIds(certificate).subject);
    }
  });

  it('leaves: keyUsage critical, digitalSignature+nonRepudiation (app), plus key/data encipherment (platform)', () => {
    const app = firstDecoded(appFile.pem);
    const platform = firstDecoded(platformFile.pem);
    assert.deepEqual(keyUsage(app), { critical: true, usages: KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation });
    assert.deepEqual(keyUsage(platform), {
      critical: true,
      usages: KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation | KeyUsageFlags.keyEncipherment | KeyUsageFlags.dataEncipherment,
    });
    assert.equal(app.getExtension(x509.BasicConstraintsExtension), null);
    assert.equal(keyIds(app).authority, keyIds(new DecodedCertificate(ca.appCertificateIssuer.toString('pem'))).subject);
    assert.notEqual(keyIds(app).subject, keyIds(app).authority);
  });

  it('every certificate is signed sha256WithRSAEncryption', () => {
    for (const certificate of [...decoded(rootFile.pem), ...decoded(appFile.pem), ...decoded(platformFile.pem)]) {
      assert.equal(certificate.structure.signatureAlgorithm.algorithm, SHA256_WITH_RSA);
    }
  });
});

describe('validity comes from the caller, never from the system clock', () => {
  it('defaults: leaves from 5 minutes before now for 2 years, CAs for 20 years', () => {
    const app = firstDecoded(appFile.pem);
    assert.equal(app.notBefore.getTime(), NOW - 5 * MINUTE);
    assert.equal(app.notAfter.toISOString(), '2028-01-01T19:55:00.000Z');
    assert.equal(ca.root.notBefore.getTime(), NOW - 5 * MINUTE);
    assert.equal(ca.root.notAfter.toISOString(), '2046-01-01T19:55:00.000Z');
  });

  it('an explicit validity is used as given (to the second)', async () => {
    const validity = { notBefore: Date.UTC(2030, 5, 1), notAfter: Date.UTC(2031, 5, 1) };
    const file = await issuePlatformCertificate(ca, { ...platformRequest, validity });
    const leaf = firstDecoded(file.pem);
    assert.equal(leaf.notBefore.getTime(), validity.notBefore);
    assert.equal(leaf.notAfter.getTime(), validity.notAfter);
    const authority = await createCertificateAuthority({ now: NOW, privateKeyPem: caKey.privateKey, validity });
    assert.equal(authority.root.notAfter.getTime(), validity.notAfter);
  });
});

describe('the files are laid out as Alipay lays them out', () => {
  it('LF only, a blank line between blocks, no final newline; root alone, app leaf alone, platform leaf then Class 2', () => {
    for (const file of [rootFile, appFile, platformFile]) {
      assert.ok(!file.pem.includes('\r'));
      assert.ok(file.pem.endsWith('-----END CERTIFICATE-----'));
    }
    assert.equal(pemBlocks(rootFile.pem).length, 1);
    assert.equal(pemBlocks(appFile.pem).length, 1);
    assert.equal(pemBlocks(platformFile.pem).length, 2);
    assert.match(platformFile.pem, /-----END CERTIFICATE-----\n\n-----BEGIN CERTIFICATE-----/);
    assert.equal(pemBlocks(platformFile.pem)[1], ca.platformCertificateIssuer.toString('pem'));
    assert.equal(rootFile.pem, ca.root.toString('pem'));
  });
});
