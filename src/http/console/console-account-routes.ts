/**
 * The console's accounts and keys: merchants with their balances and ledgers (and a top-up), buyers with their
 * funds, apps with their keys and certificates (downloadable, as merchants load them), and the platform key.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireApp } from '../../core/apps.js';
import { listApps, listBuyers, listMerchants } from '../../core/directory.js';
import { DomainError } from '../../core/domain-error.js';
import { merchantLedger } from '../../core/ledger.js';
import { adjustBalance } from '../../core/merchants.js';
import type { App, Buyer, Merchant } from '../../interfaces.js';
import type { Services } from '../../methods/services.js';
import { formatRate, parseSignedYuan } from '../../protocol/yuan.js';
import type { PlatformView } from '../admin-views.js';
import { ACCOUNT_TONES, DASH, time, tone, yuan } from './console-format.js';
import { action, contextOf, formText } from './console-http.js';
import { label, sendPage } from './console-page.js';
import { fill, type Strings } from './console-strings.js';
import { ledgerRow, merchantHref } from './console-trade-views.js';

const appHref = (appId: string) => `/console/apps/${encodeURIComponent(appId)}`;

function merchantRow(t: Strings, m: Merchant) {
  return {
    pid: m.pid,
    href: merchantHref(m.pid),
    name: m.name,
    email: m.email,
    balance: yuan(m.balance),
    accountLabel: label(t, 'account', m.accountStatus),
    accountTone: tone(ACCOUNT_TONES, m.accountStatus),
    feeRate: formatRate(m.feeRatePpm),
  };
}

function buyerCard(t: Strings, b: Buyer) {
  const { funds } = b;
  return {
    name: b.name,
    logonId: b.logonId,
    buyerUserId: b.buyerUserId,
    accountLabel: label(t, 'account', b.accountStatus),
    accountTone: tone(ACCOUNT_TONES, b.accountStatus),
    balance: yuan(funds.balance),
    yuebao: yuan(funds.yuebao),
    huabei: yuan(funds.huabeiLimit - funds.huabeiUsed),
    points: String(funds.points),
    cards: funds.bankCards.map((card) => `${card.bankCode} ${label(t, 'cardtype', card.fundType)} ···${card.cardTail}`),
    coupons: funds.coupons.map((c) => `${c.name} ${yuan(c.remaining)}`),
  };
}

/** The files of an app a merchant's SDK loads, named as Alipay names them. */
function appFiles(app: App): Array<{ name: string; pem: string }> {
  const files: Array<{ name: string; pem: string }> = [];
  if (app.appPublicKey) files.push({ name: 'app_public_key.pem', pem: app.appPublicKey });
  if (app.rsaPublicKey) files.push({ name: 'app_rsa_public_key.pem', pem: app.rsaPublicKey });
  if (app.keyMode === 'cert' && app.appCertPem) files.push({ name: `appCertPublicKey_${app.appId}.crt`, pem: app.appCertPem });
  return files;
}

function platformFiles(platform: PlatformView): Array<{ name: string; pem: string }> {
  return [
    { name: 'alipay_public_key.pem', pem: platform.publicKeyPem },
    { name: 'alipayCertPublicKey_RSA2.crt', pem: platform.certificates.platformCertPem },
    { name: 'alipayRootCert.crt', pem: platform.certificates.rootCertPem },
  ];
}

/** What a merchant configures for this app: its own files, and the platform's key (public-key mode) or certificates (cert mode). */
function appDownloads(app: App, platform: PlatformView): Array<{ name: string; pem: string }> {
  const [key, ...certificates] = platformFiles(platform);
  return [...appFiles(app), ...(app.keyMode === 'cert' ? certificates : key ? [key] : [])];
}

function download(reply: FastifyReply, file: { name: string; pem: string } | undefined): FastifyReply {
  if (!file) throw new DomainError('invalid_request', 'no such file');
  const type = file.name.endsWith('.crt') ? 'application/x-x509-ca-cert' : 'application/x-pem-file';
  return reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="${file.name}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.pem.endsWith('\n') ? file.pem : `${file.pem}\n`);
}

export async function consoleAccountRoutes(app: FastifyInstance, options: { services: Services; platform: PlatformView }): Promise<void> {
  const { services, platform } = options;

  app.get('/merchants', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const merchants = (await listMerchants(services)).map((m) => merchantRow(t, m));
    return sendPage(reply, context, 'merchants', { section: 'merchants', title: t.merchants_title }, { merchants });
  });

  app.get<{ Params: { pid: string } }>('/merchants/:pid', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const { merchant, entries, entriesSum } = await merchantLedger(services, request.params.pid);
    const apps = await listApps(services, { pid: merchant.pid });
    return sendPage(
      reply,
      context,
      'merchant',
      { section: 'merchants', title: merchant.name },
      {
        merchant: {
          ...merchantRow(t, merchant),
          entriesSum: yuan(entriesSum),
          topUpAction: `/console/merchants/${encodeURIComponent(merchant.pid)}/balance`,
          refundWindow: `${merchant.refundWindowDays} ${t.days}`,
          dback: fill(t.dback_outcome_setting, { delay: merchant.dbackDelaySeconds, outcome: merchant.dbackOutcome }),
          tradesHref: `/console/trades?pid=${encodeURIComponent(merchant.pid)}`,
        },
        apps: apps.map((a) => ({ appId: a.appId, href: appHref(a.appId) })),
        // Newest first: the balance's latest moves are what one checks.
        ledger: entries.map((entry) => ledgerRow(t, entry)).reverse(),
      },
    );
  });

  app.post<{ Params: { pid: string } }>('/merchants/:pid/balance', async (request, reply) =>
    action(request, reply, merchantHref(request.params.pid), async () => {
      const delta = parseSignedYuan(formText(request, 'delta') ?? '');
      if (delta === null) throw new DomainError('invalid_request', 'delta: a signed amount such as "+100.00" or "-5.00"');
      await adjustBalance(services, request.params.pid, { delta });
      return { notice: 'topped_up', to: merchantHref(request.params.pid) };
    }),
  );

  app.get('/buyers', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const buyers = (await listBuyers(services)).map((b) => buyerCard(t, b));
    return sendPage(reply, context, 'buyers', { section: 'buyers', title: t.buyers_title }, { buyers });
  });

  app.get('/apps', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const apps = (await listApps(services)).map((a) => ({
      appId: a.appId,
      href: appHref(a.appId),
      pid: a.pid,
      merchantHref: merchantHref(a.pid),
      keyModeLabel: label(t, 'keymode', a.keyMode),
      keys: [a.appPublicKey && 'RSA2', a.rsaPublicKey && 'RSA'].filter(Boolean).join(' · ') || DASH,
      aes: a.aesKey ? '✓' : DASH,
      createdAt: time(a.createdAt),
    }));
    return sendPage(reply, context, 'apps', { section: 'apps', title: t.apps_title }, { apps });
  });

  app.get<{ Params: { appId: string } }>('/apps/:appId', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    const found = await requireApp(services, request.params.appId);
    const base = appHref(found.appId);
    const files = appDownloads(found, platform);
    return sendPage(
      reply,
      context,
      'app',
      { section: 'apps', title: found.appId },
      {
        app: {
          appId: found.appId,
          pid: found.pid,
          merchantHref: merchantHref(found.pid),
          keyModeLabel: label(t, 'keymode', found.keyMode),
          files: files.map((f) => ({ name: f.name, href: `${base}/files/${encodeURIComponent(f.name)}` })),
          certSn: found.appCertSn,
          platformCertSn: platform.certificates.platformCertSn,
          rootCertSn: platform.certificates.rootCertSn,
          keys: [
            ...(found.appPublicKey ? [{ label: t.app_public_key, pem: found.appPublicKey }] : []),
            ...(found.rsaPublicKey ? [{ label: t.rsa_public_key, pem: found.rsaPublicKey }] : []),
            ...(found.appCertPem ? [{ label: t.app_cert, pem: found.appCertPem }] : []),
          ],
          aesKey: found.aesKey ?? DASH,
          messageUrl: found.messageUrl ?? DASH,
          createdAt: time(found.createdAt),
        },
      },
    );
  });

  app.get<{ Params: { appId: string; name: string } }>('/apps/:appId/files/:name', async (request, reply) => {
    const found = await requireApp(services, request.params.appId);
    const files = appDownloads(found, platform);
    return download(
      reply,
      files.find((f) => f.name === request.params.name),
    );
  });

  app.get('/platform', async (request, reply) => {
    const context = contextOf(request, services.clock);
    const { t } = context;
    return sendPage(
      reply,
      context,
      'platform',
      { section: 'platform', title: t.platform_title },
      {
        files: platformFiles(platform).map((f) => ({ name: f.name, href: `/console/platform/files/${encodeURIComponent(f.name)}` })),
        publicKey: platform.publicKeyPem,
        platformCertSn: platform.certificates.platformCertSn,
        rootCertSn: platform.certificates.rootCertSn,
      },
    );
  });

  app.get<{ Params: { name: string } }>('/platform/files/:name', async (_request, reply) =>
    download(
      reply,
      platformFiles(platform).find((f) => f.name === _request.params.name),
    ),
  );
}
