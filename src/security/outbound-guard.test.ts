import { describe, expect, it } from 'vitest';
import { checkOutboundAddress, checkOutboundUrl, createGuardedLookup } from './outbound-guard.js';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

describe('the outbound address guard', () => {
  it('refuses internal addresses in every spelling, and lets public ones through', () => {
    const refused: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['100.127.0.1', 'shared_address'],
      ['169.254.169.254', 'metadata'],
      ['169.254.170.2', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['169.254.0.1', 'link_local'],
      ['fe80::1%eth0', 'link_local'],
      ['fd12:3456::1', 'unique_local'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:0:a9fe:a9fe', 'metadata'],
      ['::127.0.0.1', 'loopback'],
      ['64:ff9b::192.168.1.1', 'private'],
      ['2002:7f00:1::', 'loopback'],
      ['224.0.0.251', 'multicast'],
      ['255.255.255.255', 'multicast'],
      ['ff02::1', 'multicast'],
      ['240.1.2.3', 'reserved'],
      ['192.0.2.10', 'reserved'],
      ['2001:db8::1', 'reserved'],
    ];
    for (const [address, reason] of refused) expect(checkOutboundAddress(address, strict), address).toMatchObject({ ok: false, reason });
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
      expect(checkOutboundAddress(address, strict), address).toEqual({ ok: true });
    }
  });

  it('lets an operator allow private networks, never metadata, multicast, reserved or the unspecified address', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', '100.64.0.1', '169.254.1.1', 'fd12::1', '::ffff:127.0.0.1']) {
      expect(checkOutboundAddress(address, lenient), address).toEqual({ ok: true });
    }
    for (const address of ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '0.0.0.0', '224.0.0.1', '240.0.0.1']) {
      expect(checkOutboundAddress(address, lenient).ok, address).toBe(false);
    }
  });

  it('reads URLs the way the HTTP client will: numeric hosts, credentials, names of this machine', () => {
    expect(checkOutboundUrl('http://2130706433/', strict)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(checkOutboundUrl('http://0x7f.1/', strict)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(checkOutboundUrl('http://LOCALHOST./', strict)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(checkOutboundUrl('http://Metadata.Google.Internal/', lenient)).toMatchObject({ ok: false, reason: 'metadata' });
    expect(checkOutboundUrl('https://a:b@example.com/', lenient)).toMatchObject({ ok: false, reason: 'credentials', rule: expect.stringContaining('user:pass@') });
    expect(checkOutboundUrl('gopher://example.com/', strict)).toMatchObject({ ok: false, reason: 'scheme' });
    expect(checkOutboundUrl('https://crm.example.com:8443/hook?x=1', strict)).toMatchObject({ ok: true });
  });

  it('fails a lookup when any resolved address is refused', async () => {
    const resolveTo = (addresses: string[]) =>
      createGuardedLookup(strict, ((_host: string, _options: unknown, callback: (error: null, list: unknown) => void) => callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))) as never);
    const run = (lookup: ReturnType<typeof resolveTo>, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup('svc.example.com', { all }, (error, address) => resolve({ error, address })));
    expect(await run(resolveTo(['93.184.216.34']), false)).toEqual({ error: null, address: '93.184.216.34' });
    expect((await run(resolveTo(['93.184.216.34']), true)).address).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const mixed = await run(resolveTo(['93.184.216.34', '127.0.0.1']), true);
    expect(mixed.error?.code).toBe('ERR_OUTBOUND_ADDRESS_BLOCKED');
    expect(mixed.error?.message).toContain('svc.example.com resolves to 127.0.0.1, a loopback address');
  });
});
