import { describe, expect, it } from 'vitest';
import { hashTagged, hasHashTag, parseRedisUrl } from './index.js';

describe('parseRedisUrl', () => {
  it('keeps a single-server URL as it is', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379/2',
    });
    expect(parseRedisUrl('rediss://u:p@h:1')).toEqual({ kind: 'single', url: 'rediss://u:p@h:1' });
  });

  it('reads a redis+cluster URL and comma-separated seed URLs as a cluster', () => {
    expect(parseRedisUrl('redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2')).toEqual({
      kind: 'cluster',
      seeds: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
      ],
      password: 's3cret',
      tls: false,
    });
    expect(parseRedisUrl('redis://a:7000,rediss://b:7001')).toEqual({
      kind: 'cluster',
      seeds: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      tls: true,
    });
  });

  it('reads a sentinel URL with its master name and database', () => {
    expect(parseRedisUrl('redis+sentinel://s1:26379,s2/mymaster/3')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      tls: false,
    });
  });

  it('names the accepted forms when a URL is wrong', () => {
    expect(() => parseRedisUrl('redis+sentinel://s1:26379')).toThrow(
      /names no master.*redis\+sentinel:\/\/host:port/,
    );
    expect(() => parseRedisUrl('redis+cluster://a:7000/1')).toThrow(/no path/);
    expect(() => parseRedisUrl('redis://a:1,b:2')).toThrow(/cluster seed "b:2"/);
    expect(() => parseRedisUrl('redis+cluster://a:99999')).toThrow(/out of range/);
    expect(() => parseRedisUrl('http://a')).toThrow(/unknown scheme.*docs\/operating\.md/);
  });
});

describe('hashTagged', () => {
  it('wraps a prefix without a tag and keeps one that has a tag', () => {
    expect(hashTagged('subnetkit:x')).toBe('{subnetkit:x}');
    expect(hashTagged('subnetkit:{1:abc}')).toBe('subnetkit:{1:abc}');
    expect(hasHashTag('a{}b')).toBe(false);
    expect(hashTagged('a{}b')).toBe('{a{}b}');
  });
});
