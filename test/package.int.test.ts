// `serverless package` with dummy credentials and no network: bundled functions, tables, least-privilege roles.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableDeclarations } from '../dev/tables';

/** The table actions each function may use, and nothing more. */
const EXPECTED_ACCESS: Record<string, Record<string, string[]>> = {
  authorizer: { TokensTable: ['dynamodb:GetItem'] },
  cadCliente: { ClientesTable: ['dynamodb:PutItem'], TokensTable: ['dynamodb:PutItem'] },
  tokenCliente: {
    ClientesTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    TokensTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  cadMedidor: { ClientesTable: ['dynamodb:UpdateItem'], MedidoresTable: ['dynamodb:PutItem'], SegredosTable: ['dynamodb:PutItem'] },
  segredoMedidor: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:UpdateItem'],
    SegredosTable: ['dynamodb:PutItem'],
  },
  postConsumo: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:GetItem', 'dynamodb:Query'],
    BlocosTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    TotaisTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  getAlarme: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:Query'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  getConsumoHist: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
  },
  getFatura: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  faturaPdf: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem'],
  },
  fechaFatura: {
    ClientesTable: ['dynamodb:GetItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    FaturasTable: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  faturas: { ClientesTable: ['dynamodb:GetItem'], FaturasTable: ['dynamodb:Query'] },
  alarmes: {
    ClientesTable: ['dynamodb:GetItem'],
    MedidoresTable: ['dynamodb:Query'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    'AlarmesTable/index/ativos': ['dynamodb:Query'],
  },
  avaliaAlarmes: {
    ClientesTable: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
    MedidoresTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    BlocosTable: ['dynamodb:Query'],
    TotaisTable: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    AlarmesTable: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
};

/** File names in a zip, read from its central directory. */
function zipEntries(file: string): string[] {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8'));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

interface Statement {
  Effect: string;
  Action: string[];
  Resource: ({ 'Fn::GetAtt': [string, string] } | { 'Fn::Join': [string, [{ 'Fn::GetAtt': [string, string] }, string]] })[];
}

/** `Table` for a table's ARN, `Table/index/name` for one of its indexes. */
function resourceName(target: Statement['Resource'][number]): string {
  if ('Fn::GetAtt' in target) return target['Fn::GetAtt'][0];
  const [arn, suffix] = target['Fn::Join'][1];
  return `${arn['Fn::GetAtt'][0]}${suffix}`;
}

describe('serverless package', () => {
  const out = mkdtempSync(join(tmpdir(), 'luz-package-'));
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  let functionNames: string[];

  beforeAll(() => {
    const run = spawnSync(
      process.execPath,
      ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'dev', '--package', out],
      {
        encoding: 'utf8',
        timeout: 180_000,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'dummy',
          AWS_SECRET_ACCESS_KEY: 'dummy',
          SLS_TELEMETRY_DISABLED: '1',
          LUZ_TABLE_PREFIX: '',
          LUZ_BUILD_DIR: `.esbuild/package-${process.pid}`,
        },
      },
    );
    if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}\n${run.stderr}`);
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    functionNames = readdirSync(out)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => name.replace(/\.zip$/, ''))
      .sort();
  }, 200_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const functions = () =>
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');

  it('packages exactly the functions that have a declared access list', () => {
    expect(functionNames).toEqual(Object.keys(EXPECTED_ACCESS).sort());
    expect(functions()).toHaveLength(functionNames.length);
  });

  it('each function is one minified ES module bundle (plus the tariff files), no TypeScript, no node_modules', () => {
    for (const name of functionNames) {
      const entries = zipEntries(join(out, `${name}.zip`));
      const fonts = name === 'faturaPdf' ? ['node_modules/@fontsource/inter/files/inter-latin-400-normal.woff', 'node_modules/@fontsource/inter/files/inter-latin-700-normal.woff'] : [];
      for (const font of fonts) expect(entries).toContain(font);
      const code = entries.filter((entry) => !entry.startsWith('tariffs/') && !fonts.includes(entry));
      expect(code).toEqual([`functions/${name}/handler.mjs`]);
      expect(entries).toContain('tariffs/flat-1.07.json');
    }
  });

  it('puts every route behind the authorizer, with Luz-shaped 401/403 answers in AWS', () => {
    const allMethods = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Method');
    const methods = allMethods.filter((method) => method.Properties.HttpMethod !== 'OPTIONS');
    const notHttp = ['authorizer', 'avaliaAlarmes']; // the authorizer itself and the scheduled sweep
    const routes = functionNames.filter((name) => !notHttp.includes(name)).length;
    expect(methods.length).toBe(routes);
    // CORS preflight: one OPTIONS per route, answered by API Gateway itself without a credential.
    const preflights = allMethods.filter((method) => method.Properties.HttpMethod === 'OPTIONS');
    expect(preflights.length).toBe(routes);
    for (const preflight of preflights) expect(preflight.Properties.AuthorizationType).toBe('NONE');
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('CUSTOM');
      expect(method.Properties.AuthorizerId).toEqual({ Ref: 'AuthorizerApiGatewayAuthorizer' });
    }
    const responses = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::ApiGateway::GatewayResponse')
      .map((resource) => [resource.Properties.ResponseType, resource.Properties.StatusCode]);
    expect(responses.sort()).toEqual([
      ['ACCESS_DENIED', '403'],
      ['DEFAULT_4XX', undefined],
      ['DEFAULT_5XX', undefined],
      ['UNAUTHORIZED', '401'],
    ]);
    // The web app on another origin must be able to read each of them (CORS).
    for (const resource of Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse')) {
      expect(resource.Properties.ResponseParameters).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        'gatewayresponse.header.Access-Control-Allow-Headers': "'Authorization,Content-Type'",
      });
    }
  });

  it('runs on nodejs22.x with its own role', () => {
    for (const [, resource] of functions()) {
      expect(resource.Properties.Runtime).toBe('nodejs22.x');
      const role = (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(template.Resources[role].Type).toBe('AWS::IAM::Role');
    }
    const roles = functions().map(([, resource]) => JSON.stringify(resource.Properties.Role));
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('declares the tables on demand, as dev/tables.ts creates them locally', () => {
    const tables = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
    const local = tableDeclarations('');
    expect(tables.map(([, table]) => table.Properties.TableName).sort()).toEqual(local.map((table) => table.TableName).sort());
    for (const [, table] of tables) expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('grants each function only the table actions it uses', () => {
    for (const [logicalId, resource] of functions()) {
      const name = functionNames.find((candidate) => logicalId.toLowerCase() === `${candidate}LambdaFunction`.toLowerCase())!;
      const roleId = (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policies = template.Resources[roleId].Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
      const granted: Record<string, string[]> = {};
      for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
        expect(statement.Effect).toBe('Allow');
        for (const target of statement.Resource) {
          const table = resourceName(target);
          granted[table] = [...(granted[table] ?? []), ...statement.Action].sort();
        }
      }
      expect({ [name]: granted }).toEqual({ [name]: EXPECTED_ACCESS[name] });
    }
  });

  it('meter secrets: only cadMedidor and segredoMedidor may write them and no function may read them', () => {
    const touching = Object.entries(EXPECTED_ACCESS).filter(([, access]) => access.SegredosTable);
    expect(Object.fromEntries(touching.map(([name, access]) => [name, access.SegredosTable]))).toEqual({
      cadMedidor: ['dynamodb:PutItem'],
      segredoMedidor: ['dynamodb:PutItem'],
    });
  });
});
