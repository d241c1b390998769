/**
 * The notify policy's rule on the address connected to: under `public` no internal address and not tuikuan
 * itself, unless the allow list says so; under `any` everywhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  destinationRefusal,
  internalAddressKind,
  parseNotifyAllow,
  parseNotifyPolicy,
  type NotifyDestinationRules,
} from '../../src/worker/notify-destination.js';

const rules = (policy: 'any' | 'public', allow = '', ownPort: number | null = 9080): NotifyDestinationRules => ({
  policy,
  allow: parseNotifyAllow(allow),
  ownPort: () => ownPort,
});

describe('internal addresses', () => {
  it('are loopback, unspecified, private, shared, link-local, multicast and reserved IPv4', () => {
    const kinds: Record<string, string> = {
      '127.0.0.1': 'loopback',
      '127.255.0.9': 'loopback',
      '0.0.0.0': 'unspecified',
      '10.1.2.3': 'private',
      '172.16.0.1': 'private',
      '172.31.255.255': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'shared (carrier-grade NAT)',
      '169.254.169.254': 'link-local',
      '224.0.0.1': 'multicast',
      '255.255.255.255': 'reserved',
    };
    for (const [address, kind] of Object.entries(kinds)) assert.equal(internalAddressKind(address), kind, address);
  });

  it('are loopback, unspecified, link-local, unique-local and multicast IPv6, and IPv4 ones carried in IPv6', () => {
    const kinds: Record<string, string> = {
      '::1': 'loopback',
      '[::1]': 'loopback',
      '::': 'unspecified',
      'fe80::1%eth0': 'link-local',
      'fd12:3456::1': 'unique-local',
      'fc00::1': 'unique-local',
      'ff02::1': 'multicast',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:7f00:1': 'loopback',
      '::ffff:169.254.169.254': 'link-local',
      '64:ff9b::10.0.0.1': 'private',
    };
    for (const [address, kind] of Object.entries(kinds)) assert.equal(internalAddressKind(address), kind, address);
  });

  it('do not include public addresses', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:93.184.216.34']) {
      assert.equal(internalAddressKind(address), null, address);
    }
  });
});

describe('the notify policy', () => {
  it('is any (the default) or public', () => {
    assert.equal(parseNotifyPolicy(undefined), 'any');
    assert.equal(parseNotifyPolicy(''), 'any');
    assert.equal(parseNotifyPolicy('public'), 'public');
    assert.equal(parseNotifyPolicy('strict'), null);
  });

  it('any lets every address through, loopback and tuikuan itself included', () => {
    assert.equal(destinationRefusal(rules('any'), { hostname: 'localhost', address: '127.0.0.1', port: 9080 }), null);
  });

  it('public refuses an internal address, saying which kind it is', () => {
    assert.equal(
      destinationRefusal(rules('public'), { hostname: 'metadata', address: '169.254.169.254', port: 80 }),
      '169.254.169.254 is a link-local address (notify policy public)',
    );
    assert.equal(destinationRefusal(rules('public'), { hostname: '[::1]', address: '::1', port: 80 }), '::1 is a loopback address (notify policy public)');
    assert.equal(destinationRefusal(rules('public'), { hostname: 'shop.example.com', address: '93.184.216.34', port: 443 }), null);
  });

  it('public refuses tuikuan itself, on its port, even when the allow list lets the address through', () => {
    const allowLoopback = rules('public', '127.0.0.1');
    assert.match(destinationRefusal(allowLoopback, { hostname: 'localhost', address: '127.0.0.1', port: 9080 }) ?? '', /is tuikuan itself/);
    assert.match(destinationRefusal(allowLoopback, { hostname: 'x', address: '::ffff:127.0.0.1', port: 9080 }) ?? '', /is tuikuan itself/);
    assert.equal(destinationRefusal(allowLoopback, { hostname: 'localhost', address: '127.0.0.1', port: 9081 }), null);
  });
});

describe('the allow list', () => {
  it('takes host names, wildcard names, addresses and CIDRs, comma-separated', () => {
    const allowed = rules('public', ' receiver.internal, *.corp.example ,10.0.0.0/8, fd00::/8, 192.168.1.5 ');
    const refusal = (hostname: string, address: string) => destinationRefusal(allowed, { hostname, address, port: 80 });
    assert.equal(refusal('receiver.internal', '127.0.0.1'), null, 'a host allowed whatever it resolves to');
    assert.equal(refusal('hooks.corp.example', '192.168.9.9'), null);
    assert.equal(refusal('10.2.3.4', '10.2.3.4'), null);
    assert.equal(refusal('x', 'fd00::5'), null);
    assert.equal(refusal('x', '192.168.1.5'), null);
    assert.match(refusal('x', '192.168.1.6') ?? '', /private address/);
    assert.equal(refusal('corp.example.evil', '10.9.9.9'), null, 'in the allowed CIDR');
    assert.match(refusal('corp.example.evil', '192.168.9.9') ?? '', /private address/, 'not under the wildcard');
  });

  it('refuses an entry that is none of these, naming it', () => {
    assert.throws(() => parseNotifyAllow('10.0.0.0/33'), /10\.0\.0\.0\/33 is not a CIDR/);
    assert.throws(() => parseNotifyAllow('good.example, bad host'), /bad host is neither a host name/);
  });
});
