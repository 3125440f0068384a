// Unit tests (*.test.ts) and integration tests (*.int.test.ts) in one run; the global set-up
// starts the real services the integration tests use (DynamoDB Local, serverless offline).

// Node 20 is supported here; the SDK's notice about its future Node 22 floor is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.serverless/', '/.esbuild/'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // middy 6 ships ES modules only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['node_modules/(?!@middy)'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
