/**
 * The seed file (`serve --seed <file>`): a declared world in JSON, in the admin API's own shapes and names.
 *
 *   { "platform":  { "private_key": PEM, "ca_private_key": PEM },
 *     "merchants": [ { "pid", "email"?, "name"?, "md5_key"?, "login_password"?, "payment_password"?, "balance"?,
 *                      "settings"?: { …PATCH /admin/v1/merchants/:pid… } } ],
 *     "apps":      [ { "app_id", "pid", "app_public_key"? | "rsa_public_key"?, "key_mode"?, "aes_key"?, "message_url"? } ],
 *     "app_auth_tokens": [ { "app_auth_token", "app_id", "pid" } ],
 *     "buyers":    [ { "buyer_user_id", "logon_id"?, "name"?, "login_password"?, "payment_password"?, "account_status"?,
 *                      "funds"?: { …POST /admin/v1/buyers… } } ],
 *     "trades":    [ { "trade_no"?, "app_id", "out_trade_no", "total_amount", …POST /admin/v1/trades… } ] }
 *
 * Every part may be left out. Parsing is strict — an unknown field is a mistake to point out, not to ignore.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Validity } from './core/certificate-authority.js';
import type { DeclaredPlatform } from './core/platform.js';
import { ACCOUNT_STATUSES } from './interfaces.js';
import type { WorldSeed } from './core/world-seed.js';
import { buyerBody, toNewBuyer } from './http/admin-buyer-bodies.js';
import { appBody, merchantBody, parse, settingsBody, toNewMerchant, toSettingsChange, toTradeDraft, tokenBody, tradeBody } from './http/admin-bodies.js';

const pemText = z.string().min(1).max(16_384);

export const seedFileSchema = z
  .object({
    platform: z.object({ private_key: pemText.optional(), ca_private_key: pemText.optional() }).strict().optional(),
    merchants: z.array(merchantBody.extend({ pid: z.string().regex(/^2088\d{12}$/), settings: settingsBody.optional() }).strict()).optional(),
    apps: z
      .array(
        appBody
          .extend({
            app_id: z.string().regex(/^\d{16}$/),
            aes_key: z.string().min(1).max(64).optional(),
            message_url: z.string().max(256).optional(),
          })
          .strict(),
      )
      .optional(),
    app_auth_tokens: z.array(tokenBody.extend({ app_auth_token: z.string().min(1).max(64) }).strict()).optional(),
    buyers: z
      .array(buyerBody.extend({ buyer_user_id: z.string().regex(/^2088\d{12}$/), account_status: z.enum(ACCOUNT_STATUSES).optional() }).strict())
      .optional(),
    trades: z
      .array(
        tradeBody
          .extend({
            trade_no: z
              .string()
              .regex(/^\d{28}$/)
              .optional(),
            out_trade_no: z.string().min(1).max(64),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type SeedFile = z.infer<typeof seedFileSchema>;

/**
 * Certificates of a declared authority are issued for this span, whenever the world is applied, so that a
 * fresh data dir gives the same files byte for byte: 2026-01-01 to 2046-01-01, China time.
 */
export const SEEDED_CERTIFICATE_VALIDITY: Validity = {
  notBefore: Date.UTC(2025, 11, 31, 16, 0, 0),
  notAfter: Date.UTC(2045, 11, 31, 16, 0, 0),
};

export interface DeclaredWorld {
  platform: DeclaredPlatform;
  world: WorldSeed;
}

/** Reads and checks a seed file; throws with the file and the first field that is wrong. */
export function readSeedFile(path: string): DeclaredWorld {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`seed file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return declaredWorld(json);
  } catch (error) {
    throw new Error(`seed file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A seed file's content, in the core's terms. */
export function declaredWorld(json: unknown): DeclaredWorld {
  const file = parse(seedFileSchema, json);
  const stableCertificates = file.platform?.ca_private_key !== undefined;
  const platform: DeclaredPlatform = {
    ...(file.platform?.private_key && { privateKeyPem: file.platform.private_key }),
    ...(file.platform?.ca_private_key && { caPrivateKeyPem: file.platform.ca_private_key }),
    ...(stableCertificates && { certificateValidity: SEEDED_CERTIFICATE_VALIDITY }),
  };
  const apps = file.apps ?? [];
  // A trade's seller is its app's owner unless it names one: the app declared beside it, or one in the store.
  const ownerOf = (appId: string): string => apps.find((declared) => declared.app_id === appId)?.pid ?? '';
  const world: WorldSeed = {
    merchants: (file.merchants ?? []).map(({ pid, settings, ...body }) => ({
      pid,
      ...toNewMerchant(body),
      ...(settings && { settings: toSettingsChange(settings) }),
    })),
    apps: apps.map((app) => ({
      appId: app.app_id,
      pid: app.pid,
      ...(app.app_public_key && { appPublicKey: app.app_public_key }),
      ...(app.rsa_public_key && { rsaPublicKey: app.rsa_public_key }),
      ...(app.key_mode && { keyMode: app.key_mode }),
      ...(app.aes_key && { aesKey: app.aes_key }),
      ...(app.message_url && { messageUrl: app.message_url }),
    })),
    appAuthTokens: (file.app_auth_tokens ?? []).map((token) => ({ token: token.app_auth_token, appId: token.app_id, pid: token.pid })),
    buyers: (file.buyers ?? []).map(({ buyer_user_id: buyerUserId, account_status: accountStatus, ...body }) => ({
      buyerUserId,
      ...toNewBuyer(body),
      ...(accountStatus && { accountStatus }),
    })),
    trades: (file.trades ?? []).map(({ trade_no: tradeNo, ...body }) => {
      return { ...toTradeDraft(body, ownerOf(body.app_id)), appId: body.app_id, ...(tradeNo && { tradeNo }) };
    }),
    ...(stableCertificates && { certificateValidity: SEEDED_CERTIFICATE_VALIDITY }),
  };
  return { platform, world };
}
