// Configuration: the meter-security settings and their lab defaults, and loud failures naming the variable.
import { ConfigError, loadConfig, loadLocalConfig, LOCAL_DYNAMODB_ENDPOINT } from './config';

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

describe('loadConfig: the cloud and the lab', () => {
  it('no DYNAMODB_ENDPOINT means AWS (the regional endpoint); the local tools mean DynamoDB Local', () => {
    expect(loadConfig({}).DYNAMODB_ENDPOINT).toBeUndefined();
    expect(loadConfig({ DYNAMODB_ENDPOINT: '' }).DYNAMODB_ENDPOINT).toBeUndefined();
    expect(loadLocalConfig({}).DYNAMODB_ENDPOINT).toBe(LOCAL_DYNAMODB_ENDPOINT);
    expect(loadLocalConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9000' }).DYNAMODB_ENDPOINT).toBe('http://127.0.0.1:9000');
  });

  it('the gateway needs no staff key; its tables come from the stage prefix; health on 8081 by default', () => {
    const config = loadConfig({ LUZ_TABLE_PREFIX: 'luz-prod-', UDP_HOST: '0.0.0.0' });
    expect(config).toMatchObject({ LUZ_TABLE_PREFIX: 'luz-prod-', UDP_PORT: 8080, HEALTH_PORT: 8081, GATEWAY_DRAIN_SECONDS: 20, GATEWAY_HEALTH_STALE_SECONDS: 30 });
    expect(config.STAFF_KEY).toBeUndefined();
  });

  it.each([
    [{ DYNAMODB_ENDPOINT: 'dynamodb.local' }, 'invalid configuration: DYNAMODB_ENDPOINT: Invalid URL'],
    [{ HEALTH_PORT: '70000' }, 'invalid configuration: HEALTH_PORT: Too big: expected number to be <=65535'],
    [{ GATEWAY_DRAIN_SECONDS: '0' }, 'invalid configuration: GATEWAY_DRAIN_SECONDS: Too small: expected number to be >0'],
    [{ HEALTH_PORT: 'x', LUZ_TABLE_PREFIX: 'a b' }, 'invalid configuration: LUZ_TABLE_PREFIX: letters, digits, _ . - only; HEALTH_PORT: Invalid input: expected number, received NaN'],
  ])('names the bad variable for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
