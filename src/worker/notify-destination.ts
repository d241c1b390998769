/**
 * Where notifications may be delivered. Under the `any` policy (the default: a merchant developer's receiver
 * is usually on localhost) everywhere. Under `public`, for platforms, never to an address inside the network
 * tuikuan runs in — loopback, link-local (169.254.0.0/16 holds cloud metadata services), private, unique-local,
 * shared, multicast, reserved, the unspecified address — nor to tuikuan itself, except where the allow list
 * (`TUIKUAN_NOTIFY_ALLOW`: host names, addresses and CIDRs) says so.
 *
 * The rule is applied to the address actually connected to (notify-transport.ts), never to a name checked
 * beforehand: a name resolving to 127.0.0.1, `http://2130706433/` (which URL parsing turns into 127.0.0.1),
 * `[::1]`, `[::ffff:127.0.0.1]` and a DNS answer that changes between a check and the connection are all
 * the same case.
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export const NOTIFY_POLICIES = ['any', 'public'] as const;
export type NotifyPolicy = (typeof NOTIFY_POLICIES)[number];

export interface NotifyAllowList {
  /** Host names allowed whatever they resolve to; `*.example.com` allows every name under example.com. */
  hosts: readonly string[];
  /** Addresses and networks allowed. */
  networks: BlockList;
  /** The list as given, for messages. */
  text: string;
}

export interface NotifyDestinationRules {
  policy: NotifyPolicy;
  allow: NotifyAllowList;
  /** The port tuikuan serves on, once known: this machine's addresses on it are tuikuan itself. */
  ownPort(): number | null;
}

/** The policy named by `--notify-policy` / TUIKUAN_NOTIFY_POLICY; null when it names none. */
export function parseNotifyPolicy(text: string | undefined): NotifyPolicy | null {
  if (text === undefined || text === '') return 'any';
  return (NOTIFY_POLICIES as readonly string[]).includes(text) ? (text as NotifyPolicy) : null;
}

/** Parses a comma-separated allow list; throws naming the first entry that is neither a host, an address nor a CIDR. */
export function parseNotifyAllow(text: string | undefined): NotifyAllowList {
  const networks = new BlockList();
  const hosts: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    if (slash !== -1) {
      const address = unbracket(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1);
      const family = isIP(address);
      const prefix = Number(prefixText);
      if (family === 0 || !/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128))
        throw new Error(`--notify-allow (TUIKUAN_NOTIFY_ALLOW): ${raw.trim()} is not a CIDR`);
      networks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (isIP(unbracket(entry)) !== 0) {
      const address = unbracket(entry);
      networks.addAddress(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
    } else if (/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`--notify-allow (TUIKUAN_NOTIFY_ALLOW): ${raw.trim()} is neither a host name, an address nor a CIDR`);
    }
  }
  return { hosts, networks, text: text ?? '' };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

type Range = readonly [kind: string, network: string, prefix: number];

const IPV4_RANGES: readonly Range[] = [
  ['unspecified', '0.0.0.0', 8],
  ['loopback', '127.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['private', '172.16.0.0', 12],
  ['private', '192.168.0.0', 16],
  ['shared (carrier-grade NAT)', '100.64.0.0', 10],
  ['link-local', '169.254.0.0', 16],
  ['IETF protocol assignment', '192.0.0.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
];

const IPV6_RANGES: readonly Range[] = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['link-local', 'fe80::', 10],
  ['unique-local', 'fc00::', 7],
  ['site-local', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

/** The kinds written with "an". */
const AN_KINDS = new Set(['unspecified', 'IETF protocol assignment']);

const ranges = (family: 'ipv4' | 'ipv6', list: readonly Range[]) =>
  list.map(([kind, network, prefix]) => {
    const block = new BlockList();
    block.addSubnet(network, prefix, family);
    return { kind, block };
  });
const IPV4_BLOCKS = ranges('ipv4', IPV4_RANGES);
const IPV6_BLOCKS = ranges('ipv6', IPV6_RANGES);

/** The eight 16-bit groups of an IPv6 address (a zone id dropped), or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const bare = address.split('%', 1)[0] ?? '';
  if (isIP(bare) !== 6) return null;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((group) => parseInt(group, 16)));
  const before = part(head);
  const after = tail === undefined ? [] : part(tail);
  const missing = 8 - before.length - after.length;
  return [...before, ...Array<number>(Math.max(0, missing)).fill(0), ...after];
}

/**
 * The IPv4 address an IPv6 address carries and that a connection to it reaches: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d). Null for any other address.
 */
function embeddedIpv4(groups: number[]): string | null {
  const high = groups.slice(0, 6);
  const zeros = (list: number[]) => list.every((group) => group === 0);
  const mapped = zeros(high.slice(0, 5)) && high[5] === 0xffff;
  const compatible = zeros(high) && (groups[6] !== 0 || (groups[7] ?? 0) > 1);
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(groups.slice(2, 6));
  if (!mapped && !compatible && !nat64) return null;
  const [g6 = 0, g7 = 0] = groups.slice(6);
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.');
}

/** What kind of internal address `address` is ("loopback", "private", …), or null for a public one. */
export function internalAddressKind(address: string): string | null {
  const bare = unbracket(address).split('%', 1)[0] ?? '';
  const family = isIP(bare);
  if (family === 4) return IPV4_BLOCKS.find(({ block }) => block.check(bare, 'ipv4'))?.kind ?? null;
  const groups = family === 6 ? ipv6Groups(bare) : null;
  if (!groups) return 'not an IP address';
  const ipv4 = embeddedIpv4(groups);
  if (ipv4 !== null) return internalAddressKind(ipv4);
  return IPV6_BLOCKS.find(({ block }) => block.check(bare, 'ipv6'))?.kind ?? null;
}

/** This machine's own addresses: every interface's, loopback and the unspecified ones. */
function ownAddresses(): Set<string> {
  const own = new Set(['127.0.0.1', '::1', '0.0.0.0', '::']);
  for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) own.add(entry.address.split('%', 1)[0] ?? entry.address);
  return own;
}

function hostAllowed(allow: NotifyAllowList, hostname: string): boolean {
  const host = hostname.toLowerCase();
  return allow.hosts.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry));
}

function addressAllowed(allow: NotifyAllowList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && allow.networks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why a connection to `address`:`port`, for the URL host `hostname`, is refused under `rules`; null when it
 * may be made. tuikuan itself is refused even when allowed: a notification must never call its own admin API
 * or gateway.
 */
export function destinationRefusal(rules: NotifyDestinationRules, target: { hostname: string; address: string; port: number }): string | null {
  if (rules.policy === 'any') return null;
  const address = unbracket(target.address).split('%', 1)[0] ?? target.address;
  const groups = isIP(address) === 6 ? ipv6Groups(address) : null;
  const reached = (groups && embeddedIpv4(groups)) ?? address;
  if (target.port === rules.ownPort() && (ownAddresses().has(reached) || ownAddresses().has(address))) {
    return `${address} port ${target.port} is tuikuan itself`;
  }
  if (hostAllowed(rules.allow, unbracket(target.hostname)) || addressAllowed(rules.allow, address) || addressAllowed(rules.allow, reached)) return null;
  const kind = internalAddressKind(address);
  return kind === null ? null : `${address} is ${AN_KINDS.has(kind) ? 'an' : 'a'} ${kind} address (notify policy public)`;
}
