// The parts of the template that are lists drawn from the configuration, which YAML alone cannot
// repeat: one ingress rule per meter range, one error-rate alarm per function. serverless.yml and
// infra/gateway.yml include them with ${file(./infra/derived.cjs):name}.
'use strict';

/** `a, b` or a YAML list → ['a', 'b']. */
function listOf(value) {
  const items = Array.isArray(value) ? value : String(value ?? '').split(',');
  return items.map((item) => String(item).trim()).filter(Boolean);
}

/** The gateway tasks' ingress: UDP from each meter range, the health port from the VPC (the balancer's checks). */
module.exports.gatewayIngress = async ({ resolveVariable }) => {
  const udpPort = Number(await resolveVariable('param:udpPort'));
  const healthPort = Number(await resolveVariable('param:healthPort'));
  const meterCidrs = listOf(await resolveVariable('param:meterCidrs'));
  if (meterCidrs.length === 0) throw new Error('param meterCidrs is empty: give the meters\' address ranges (docs/DEPLOY.md)');
  return [
    ...meterCidrs.map((cidr) => ({ IpProtocol: 'udp', FromPort: udpPort, ToPort: udpPort, CidrIp: cidr, Description: 'meters' })),
    { IpProtocol: 'tcp', FromPort: healthPort, ToPort: healthPort, CidrIp: await resolveVariable('param:vpcCidr'), Description: 'load balancer health checks' },
  ];
};

/** serverless's logical id of a function (its AWS naming rules for names made of letters and digits). */
const functionLogicalId = (name) => `${name[0].toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LambdaFunction`;

/**
 * One alarm per function: errors over invocations above 5 % in two of three 5-minute periods. A rate,
 * not a count, so a busy function is not paged for the odd failure and an idle one is not ignored.
 */
module.exports.functionAlarms = async ({ resolveConfigurationProperty }) => {
  const functions = Object.keys((await resolveConfigurationProperty(['functions'])) ?? {});
  const metric = (id, logicalId, name) => ({
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId } }] },
      Period: 300,
      Stat: 'Sum',
    },
  });
  const resources = {};
  for (const name of functions) {
    const logicalId = functionLogicalId(name);
    resources[logicalId.replace(/LambdaFunction$/, 'ErrorRateAlarm')] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `Function ${name}: more than 5% of invocations failed in 2 of the last 3 five-minute periods.`,
        Metrics: [
          metric('errors', logicalId, 'Errors'),
          metric('invocations', logicalId, 'Invocations'),
          { Id: 'rate', Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)', Label: 'error rate (%)', ReturnData: true },
        ],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  return { Resources: resources };
};
