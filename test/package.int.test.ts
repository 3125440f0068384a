// `serverless package` with dummy credentials and no network: bundled functions, tables, least-privilege
// roles, the UDP gateway's balancer and service, alarms; the whole template against the CloudFormation spec.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { tableDeclarations } from '../dev/tables';
import { contentSecurityPolicy } from '../dev/web';
import { checkTemplate } from './cfnSpec';
import { EXPECTED_GATEWAY_ACCESS } from './gatewayAccess';
import { EXPECTED_ACCESS } from './lambdaAccess';

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

/** One file of a zip, uncompressed (stored or deflated, as serverless package writes them). */
function zipFile(file: string, wanted: string): Buffer {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    if (name === wanted) {
      const [method, size, local] = [zip.readUInt16LE(offset + 10), zip.readUInt32LE(offset + 20), zip.readUInt32LE(offset + 42)];
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 8 ? inflateRawSync(data) : data;
    }
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  throw new Error(`${wanted} is not in ${file}`);
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

const STAFF_KEY_SENTINEL = 'luz_staff_package_test_sentinel_0123456789';

interface PackagedResource {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: string | string[];
}

describe('serverless package', () => {
  const out = mkdtempSync(join(tmpdir(), 'luz-package-'));
  let template: { Parameters: Record<string, { Type: string }>; Resources: Record<string, PackagedResource>; Outputs: Record<string, { Value: unknown }> };
  let functionNames: string[];
  let templateText: string;

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
          // A deployer's shell may hold the lab's key: it must not reach the template.
          STAFF_KEY: STAFF_KEY_SENTINEL,
          LUZ_BUILD_DIR: `.esbuild/package-${process.pid}`,
        },
      },
    );
    if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}\n${run.stderr}`);
    templateText = readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
    template = JSON.parse(templateText);
    functionNames = readdirSync(out)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => name.replace(/\.zip$/, ''))
      .sort();
  }, 200_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const functions = () =>
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
  const only = (type: string): [string, PackagedResource] => {
    const found = ofType(type);
    expect(found.map(([id]) => id)).toHaveLength(1);
    return found[0];
  };

  /** Table (or table/index/name) → the actions a role's policies allow on it. */
  function grantedAccess(roleId: string): Record<string, string[]> {
    const policies = template.Resources[roleId].Properties.Policies as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
    const granted: Record<string, string[]> = {};
    for (const statement of policies.filter((policy) => policy.PolicyName === 'tables').flatMap((policy) => policy.PolicyDocument.Statement)) {
      expect(statement.Effect).toBe('Allow');
      for (const target of statement.Resource) {
        const table = resourceName(target);
        granted[table] = [...(granted[table] ?? []), ...statement.Action].sort();
      }
    }
    return granted;
  }

  it('passes the CloudFormation resource specification: types, properties, required ones, value types, references', () => {
    expect(checkTemplate(template)).toEqual([]);
  });

  it('the specification check fails on a mutated copy of this template', () => {
    const broken = JSON.parse(JSON.stringify(template)) as typeof template;
    broken.Resources.GatewayTargetGroup.Properties.HealthCheckPorts = '8081';
    delete broken.Resources.GatewayListener.Properties.LoadBalancerArn;
    broken.Outputs.GatewayAddress.Value = { 'Fn::GetAtt': ['GatewayLoadBalancer', 'DnsName'] };
    broken.Resources.GatewayService.Properties.DesiredCount = 'two';
    expect(checkTemplate(broken)).toEqual([
      'Resources.GatewayTargetGroup.Properties.HealthCheckPorts: AWS::ElasticLoadBalancingV2::TargetGroup has no property HealthCheckPorts',
      'Resources.GatewayListener.Properties: AWS::ElasticLoadBalancingV2::Listener requires LoadBalancerArn',
      'Resources.GatewayService.Properties.DesiredCount: expected a number, got string "two"',
      expect.stringMatching(/^Outputs\.GatewayAddress\.Value: AWS::ElasticLoadBalancingV2::LoadBalancer has no attribute DnsName/),
    ]);
  });

  it('the gateway: a UDP listener on a network balancer, ip targets checked over HTTP on the health port', () => {
    const [balancerId, balancer] = only('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(balancer.Properties).toMatchObject({ Type: 'network', Scheme: 'internet-facing', Subnets: { Ref: 'SubnetIds' } });
    const [listenerId, listener] = only('AWS::ElasticLoadBalancingV2::Listener');
    const [targetsId, targets] = only('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(listener.Properties).toEqual({
      LoadBalancerArn: { Ref: balancerId },
      Protocol: 'UDP',
      Port: '8080',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: targetsId } }],
    });
    expect(targets.Properties).toMatchObject({
      TargetType: 'ip',
      Protocol: 'UDP',
      Port: '8080',
      VpcId: { Ref: 'VpcId' },
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '8081',
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
    });
    expect(template.Parameters).toMatchObject({ VpcId: { Type: 'AWS::EC2::VPC::Id' }, SubnetIds: { Type: 'List<AWS::EC2::Subnet::Id>' } });
    expect(template.Outputs.GatewayAddress.Value).toEqual({ 'Fn::GetAtt': [balancerId, 'DNSName'] });
    expect(listenerId).toBe('GatewayListener');
  });

  it('the gateway: two Fargate tasks at least, circuit breaker with rollback, after the listener; the task as the container runs it', () => {
    const [, service] = only('AWS::ECS::Service');
    const [taskId, task] = only('AWS::ECS::TaskDefinition');
    const [targetsId] = only('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect([service.DependsOn].flat()).toContain('GatewayListener');
    expect(service.Properties.DesiredCount).toBeGreaterThanOrEqual(2);
    expect(service.Properties).toMatchObject({
      LaunchType: 'FARGATE',
      TaskDefinition: { Ref: taskId },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: { Ref: 'SubnetIds' } } },
      LoadBalancers: [{ ContainerName: 'gateway', ContainerPort: '8080', TargetGroupArn: { Ref: targetsId } }],
    });
    expect(task.Properties).toMatchObject({ RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', TaskRoleArn: { 'Fn::GetAtt': ['GatewayTaskRole', 'Arn'] } });
    const [container] = task.Properties.ContainerDefinitions;
    expect(task.Properties.ContainerDefinitions).toHaveLength(1);
    expect(container.PortMappings).toEqual([
      { ContainerPort: '8080', Protocol: 'udp' },
      { ContainerPort: '8081', Protocol: 'tcp' },
    ]);
    // The image's own CMD runs (the one test/gateway-process.int.test.ts checks); the drain fits the stop timeout.
    expect(container.Command).toBeUndefined();
    const environment = Object.fromEntries(container.Environment.map(({ Name, Value }: { Name: string; Value: unknown }) => [Name, Value]));
    expect(environment).toMatchObject({ UDP_HOST: '0.0.0.0', UDP_PORT: '8080', HEALTH_PORT: '8081', LUZ_TABLE_PREFIX: '' });
    expect(environment.DYNAMODB_ENDPOINT).toBeUndefined(); // the regional endpoint and the task role
    expect(environment.STAFF_KEY).toBeUndefined(); // the gateway needs none
    expect(Number(environment.GATEWAY_DRAIN_SECONDS) + 5).toBeLessThanOrEqual(container.StopTimeout);
    expect(container.StopTimeout).toBeLessThanOrEqual(120);
    expect(container.LogConfiguration).toMatchObject({ LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: 'GatewayLogGroup' } } });
    expect(template.Resources.GatewayLogGroup.Properties.RetentionInDays).toBe(30);
    // UDP from the meters' ranges, the health port from the VPC, nothing else.
    const [, group] = only('AWS::EC2::SecurityGroup');
    expect(group.Properties.SecurityGroupIngress).toEqual([
      { IpProtocol: 'udp', FromPort: 8080, ToPort: 8080, CidrIp: '0.0.0.0/0', Description: 'meters' },
      { IpProtocol: 'tcp', FromPort: 8081, ToPort: 8081, CidrIp: '10.0.0.0/16', Description: 'load balancer health checks' },
    ]);
  });

  it('the staff key: in no template and no environment; only the authorizer names its SSM parameter and may read it', () => {
    expect(templateText).not.toContain(STAFF_KEY_SENTINEL);
    for (const [logicalId, resource] of functions()) {
      const environment = resource.Properties.Environment.Variables as Record<string, unknown>;
      expect(environment.STAFF_KEY).toBeUndefined();
      expect([logicalId, environment.STAFF_KEY_PARAMETER]).toEqual([logicalId, logicalId === 'AuthorizerLambdaFunction' ? '/luz/dev/staff-key' : undefined]);
    }
    // Every action on anything but a table, in every role of the stack.
    const otherGrants = ofType('AWS::IAM::Role').flatMap(([roleId, role]) =>
      ((role.Properties.Policies ?? []) as { PolicyName: string; PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[])
        .filter((policy) => policy.PolicyName !== 'tables')
        .flatMap((policy) => policy.PolicyDocument.Statement.map((statement) => ({ roleId, policy: policy.PolicyName, ...statement }))),
    );
    expect(otherGrants).toEqual([
      {
        roleId: 'AuthorizerRole',
        policy: 'staff-key',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/luz/dev/staff-key']] }],
      },
    ]);
    // No managed policy that could read parameters or decrypt: only the logs and image-pull ones.
    const managed = new Set(ofType('AWS::IAM::Role').flatMap(([, role]) => (role.Properties.ManagedPolicyArns ?? []) as string[]));
    expect([...managed].sort()).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    ]);
  });

  it('the gateway task role: exactly the table actions the gateway calls, on exactly its tables; ECS tasks only', () => {
    const role = template.Resources.GatewayTaskRole;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(grantedAccess('GatewayTaskRole')).toEqual(EXPECTED_GATEWAY_ACCESS);
  });

  it('alarms: unhealthy gateway targets, and each function\'s error rate', () => {
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm'));
    expect(alarms.GatewayUnhealthyTargetsAlarm.Properties).toMatchObject({
      Namespace: 'AWS/NetworkELB',
      MetricName: 'UnHealthyHostCount',
      Dimensions: [
        { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': ['GatewayLoadBalancer', 'LoadBalancerFullName'] } },
        { Name: 'TargetGroup', Value: { 'Fn::GetAtt': ['GatewayTargetGroup', 'TargetGroupFullName'] } },
      ],
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    for (const [logicalId] of functions()) {
      const alarm = alarms[logicalId.replace(/LambdaFunction$/, 'ErrorRateAlarm')];
      expect(alarm).toBeDefined();
      const metrics = alarm.Properties.Metrics as { Id: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }[];
      expect(metrics.filter((metric) => metric.MetricStat).map((metric) => [metric.MetricStat!.Metric.MetricName, metric.MetricStat!.Metric.Dimensions])).toEqual([
        ['Errors', [{ Name: 'FunctionName', Value: { Ref: logicalId } }]],
        ['Invocations', [{ Name: 'FunctionName', Value: { Ref: logicalId } }]],
      ]);
    }
  });

  it('the web app: a private bucket only its CloudFront distribution reads (OAC), every answer with the CSP of dev/web.ts', () => {
    // Beside serverless's own deployment bucket.
    const bucketId = 'WebBucket';
    const bucket = template.Resources[bucketId];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    const [accessId, access] = only('AWS::CloudFront::OriginAccessControl');
    expect(access.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const [distributionId, distribution] = only('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig as Record<string, any>;
    expect(config.Origins).toEqual([
      { Id: 'web', DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': [accessId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } },
    ]);
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    // The bucket admits CloudFront for this distribution only, and only to read.
    const policy = template.Resources.WebBucketPolicy;
    expect(policy.Properties.Bucket).toEqual({ Ref: bucketId });
    const [statement, ...others] = (policy.Properties.PolicyDocument as { Statement: Record<string, any>[] }).Statement;
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(statement.Condition)).toContain(`distribution/\${${distributionId}}`);
    // One policy on every path, with the local server's CSP for this stage's API origin.
    const [headersId, headers] = only('AWS::CloudFront::ResponseHeadersPolicy');
    for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: headersId });
    const security = (headers.Properties.ResponseHeadersPolicyConfig as Record<string, any>).SecurityHeadersConfig;
    const apiOrigin = 'https://${ApiGatewayRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}';
    const local = contentSecurityPolicy('https://api.invalid').replace('https://api.invalid', apiOrigin);
    expect(security.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: { 'Fn::Sub': local }, Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(template.Outputs.WebUrl.Value).toEqual({ 'Fn::Sub': `https://\${${distributionId}.DomainName}` });
  });

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

  it("loads the runtime's AWS SDK with require(), never import (half its load time: docs/PERFORMANCE.md), and carries no zod classic", () => {
    for (const name of functionNames) {
      const code = zipFile(join(out, `${name}.zip`), `functions/${name}/handler.mjs`).toString('utf8');
      expect({ name, imports: code.match(/(from|import\()\s*["']@aws-sdk\/[^"']+/g) ?? [] }).toEqual({ name, imports: [] });
      expect(code).toMatch(/[\w$]+\("@aws-sdk\/client-dynamodb"\)/);
      // zod classic's method-chaining types (ZodString.prototype.email…) would mean a schema imported 'zod' again.
      expect(code).not.toContain('ZodEmail');
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
      expect({ [name]: grantedAccess(roleId) }).toEqual({ [name]: EXPECTED_ACCESS[name] });
    }
  });

  it('gateway figures: only the gateway writes them (PutItem) and only gatewayStatus reads them (Scan); a TTL drops dead instances', () => {
    const touching = Object.entries({ ...EXPECTED_ACCESS, gateway: EXPECTED_GATEWAY_ACCESS }).filter(([, access]) => access.GatewayTable);
    expect(Object.fromEntries(touching.map(([name, access]) => [name, access.GatewayTable]))).toEqual({
      gatewayStatus: ['dynamodb:Scan'],
      gateway: ['dynamodb:PutItem'],
    });
    expect(template.Resources.GatewayTable.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiraEm', Enabled: true });
  });

  it('meter secrets: only cadMedidor and segredoMedidor may write them, only the gateway may read them', () => {
    const touching = Object.entries({ ...EXPECTED_ACCESS, gateway: EXPECTED_GATEWAY_ACCESS }).filter(([, access]) => access.SegredosTable);
    expect(Object.fromEntries(touching.map(([name, access]) => [name, access.SegredosTable]))).toEqual({
      cadMedidor: ['dynamodb:PutItem'],
      segredoMedidor: ['dynamodb:PutItem'],
      gateway: ['dynamodb:GetItem'],
    });
  });
});
