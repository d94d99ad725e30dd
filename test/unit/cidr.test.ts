import { CIDR_PATTERN, IPV4_CIDR_PATTERN, IPV4_PATTERN, PREFIX_PATTERN, addressInAnyCidr, isValidAddress, isValidCidr, parseAddress } from '../../workflows/cidr';

describe('addresses', () => {
  test.each(['0.0.0.0', '255.255.255.255', '192.0.2.1', '::', '::1', '2001:db8::1', 'fe80::1:2:3:4', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8'])('%s is valid', (text) =>
    expect(isValidAddress(text)).toBe(true),
  );
  test.each(['', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-1', 'a.b.c.d', '1::2::3', '1:2:3:4:5:6:7:8:9', ':::', '12345::', 'g::1', '1:2:3:4:5:6:7::8', ' 1.2.3.4', '1.2.3.4/24'])(
    '%j is invalid',
    (text) => expect(isValidAddress(text)).toBe(false),
  );
  test('IPv6 with an embedded IPv4 tail parses to the same value as its hex form', () => {
    expect(parseAddress('::ffff:192.0.2.1')).toEqual(parseAddress('::ffff:c000:201'));
  });
});

describe('CIDRs', () => {
  test.each(['0.0.0.0/0', '192.0.2.0/24', '192.0.2.1/32', '192.0.2.1', '::/0', '2001:db8::/32', '2001:db8::1/128'])('%s is valid', (text) => expect(isValidCidr(text)).toBe(true));
  test.each(['192.0.2.0/33', '192.0.2.0/-1', '192.0.2.0/', '2001:db8::/129', '192.0.2.0/2x', '300.0.0.0/8'])('%s is invalid', (text) => expect(isValidCidr(text)).toBe(false));

  test.each([
    ['192.0.2.77', ['192.0.2.0/24'], true],
    ['192.0.3.1', ['192.0.2.0/24'], false],
    ['10.1.2.3', ['0.0.0.0/0'], true],
    ['192.0.2.1', ['192.0.2.1'], true],
    ['192.0.2.2', ['192.0.2.1/32'], false],
    ['2001:db8:ffff::1', ['2001:db8::/32'], true],
    ['2001:db9::1', ['2001:db8::/32'], false],
    ['2001:db8::1', ['::/0'], true],
    ['192.0.2.1', ['::/0'], false],
    ['::ffff:192.0.2.1', ['192.0.2.0/24'], false],
    ['192.0.2.1', ['nonsense', '192.0.2.0/24'], true],
    ['not-an-ip', ['0.0.0.0/0'], false],
  ] as const)('%s in %j is %s', (address, cidrs, expected) => {
    expect(addressInAnyCidr(address, cidrs)).toBe(expected);
  });
});

describe('the published patterns', () => {
  const samples = [
    '0.0.0.0/0',
    '192.0.2.0/24',
    '192.0.2.1',
    '255.255.255.255/32',
    '::/0',
    '::',
    '::1',
    '2001:db8::/32',
    '2001:db8::1/128',
    '1:2:3:4:5:6:7:8',
    '1::',
    '1:2:3:4:5:6:7::',
    'fe80::1:2:3:4/64',
    'FE80::A/10',
    '::ffff:192.0.2.1',
    '',
    '192.0.2.0/33',
    '300.0.0.0/8',
    '01.2.3.4',
    '1.2.3.4/024',
    '2001:db8::/129',
    '1::2::3',
    '1.2.3.4\n',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1.2.3.4/',
  ];
  test.each(samples)('%j: matching CIDR_PATTERN implies the parser accepts it', (text) => {
    if (CIDR_PATTERN.test(text)) expect(isValidCidr(text)).toBe(true);
  });
  test('the patterns accept the usual forms and reject malformed ones', () => {
    expect(samples.filter((s) => CIDR_PATTERN.test(s))).toEqual(samples.slice(0, 14));
    expect(['203.0.113.7', '0.0.0.0'].every((s) => IPV4_PATTERN.test(s) && isValidAddress(s))).toBe(true);
    expect(['203.0.113.0/24', '0.0.0.0/0'].every((s) => IPV4_CIDR_PATTERN.test(s) && isValidCidr(s))).toBe(true);
    expect(['', '203.0.113.256', '::1', '203.0.113.0', '0/0', '203.0.113.0/33'].some((s) => IPV4_CIDR_PATTERN.test(s))).toBe(false);
  });
  // A Gcore prefix: the fuzzer sent 250.250.250.250, which CIDR_PATTERN (a bare address is a host route) published as valid.
  test('PREFIX_PATTERN matches exactly the samples with a length, and each parses', () => {
    const prefixes = samples.filter((s) => PREFIX_PATTERN.test(s));
    expect(prefixes).toEqual(['0.0.0.0/0', '192.0.2.0/24', '255.255.255.255/32', '::/0', '2001:db8::/32', '2001:db8::1/128', 'fe80::1:2:3:4/64', 'FE80::A/10']);
    expect(prefixes.every(isValidCidr)).toBe(true);
  });
});
