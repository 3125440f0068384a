// Configuration: the meter-security settings and their lab defaults, and loud failures naming the variable.
import { ConfigError, loadConfig } from './config';

describe('loadConfig: meter security', () => {
  it('accepts unsigned v1 datagrams by default (the lab set-up), with a 65,536-seq replay window and a 300 s key cache', () => {
    expect(loadConfig({})).toMatchObject({ LUZ_ACCEPT_V1: true, GATEWAY_REPLAY_WINDOW: 65_536, GATEWAY_KEY_CACHE_SECONDS: 300 });
  });

  it('LUZ_ACCEPT_V1=0 turns v1 off; an empty value means unset', () => {
    expect(loadConfig({ LUZ_ACCEPT_V1: '0' }).LUZ_ACCEPT_V1).toBe(false);
    expect(loadConfig({ LUZ_ACCEPT_V1: '1' }).LUZ_ACCEPT_V1).toBe(true);
    expect(loadConfig({ LUZ_ACCEPT_V1: '' }).LUZ_ACCEPT_V1).toBe(true);
  });

  it.each([
    [{ LUZ_ACCEPT_V1: 'yes' }, 'invalid configuration: LUZ_ACCEPT_V1: must be 0 or 1'],
    [{ GATEWAY_REPLAY_WINDOW: '0' }, 'invalid configuration: GATEWAY_REPLAY_WINDOW: Too small: expected number to be >=1'],
  ])('fails loudly for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
