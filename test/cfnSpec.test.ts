// The offline CloudFormation check (test/cfnSpec.ts) on a small template: sound passes, each kind of mistake is reported.
import { checkTemplate, type Template } from './cfnSpec';

/** A listener in front of a target group, with the references a real template has. */
function soundTemplate(): Template {
  return {
    Parameters: { VpcId: { Type: 'AWS::EC2::VPC::Id' } },
    Resources: {
      Balancer: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network', Subnets: ['subnet-1', 'subnet-2'] } },
      Targets: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          TargetType: 'ip',
          Protocol: 'UDP',
          Port: '8080', // CloudFormation takes numbers as text
          VpcId: { Ref: 'VpcId' },
          HealthCheckPort: '8081',
          Matcher: { HttpCode: '200' },
          TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
        },
      },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        DependsOn: 'Targets',
        Properties: {
          LoadBalancerArn: { Ref: 'Balancer' },
          Protocol: 'UDP',
          Port: 8080,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Targets' } }],
        },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30, LogGroupName: { 'Fn::Sub': '/luz/${AWS::StackName}/${Balancer.LoadBalancerName}' } } },
    },
    Outputs: { Address: { Value: { 'Fn::GetAtt': ['Balancer', 'DNSName'] } }, Name: { Value: { 'Fn::GetAtt': 'Balancer.LoadBalancerFullName' } } },
  };
}

function mutated(change: (template: Template) => void): string[] {
  const template = soundTemplate();
  change(template);
  return checkTemplate(template);
}

describe('checkTemplate (CloudFormation resource specification)', () => {
  it('passes a sound template, intrinsics where values are expected', () => {
    expect(checkTemplate(soundTemplate())).toEqual([]);
  });

  it('reports an unknown resource type', () => {
    expect(mutated((t) => (t.Resources.Logs.Type = 'AWS::Logs::LogGroupp'))).toEqual([
      'Resources.Logs.Type: AWS::Logs::LogGroupp is not a CloudFormation resource type',
    ]);
  });

  it('reports an unknown property, at any depth', () => {
    expect(mutated((t) => (t.Resources.Targets.Properties!.HealthCheckPorts = '8081'))).toEqual([
      'Resources.Targets.Properties.HealthCheckPorts: AWS::ElasticLoadBalancingV2::TargetGroup has no property HealthCheckPorts',
    ]);
    expect(mutated((t) => ((t.Resources.Targets.Properties!.Matcher as Record<string, string>).HttpCodes = '200'))).toEqual([
      'Resources.Targets.Properties.Matcher.HttpCodes: Matcher has no property HttpCodes',
    ]);
  });

  it('reports a missing required property, at any depth', () => {
    expect(mutated((t) => delete t.Resources.Listener.Properties!.LoadBalancerArn)).toEqual([
      'Resources.Listener.Properties: AWS::ElasticLoadBalancingV2::Listener requires LoadBalancerArn',
    ]);
    expect(mutated((t) => delete (t.Resources.Listener.Properties!.DefaultActions as Record<string, unknown>[])[0].Type)).toEqual([
      'Resources.Listener.Properties.DefaultActions[0]: Action requires Type',
    ]);
  });

  it('reports values of the wrong type', () => {
    expect(
      mutated((t) => {
        t.Resources.Listener.Properties!.Port = 'eighty';
        t.Resources.Listener.Properties!.DefaultActions = { Type: 'forward' };
        t.Resources.Logs.Properties!.RetentionInDays = 45;
        t.Resources.Targets.Properties!.Matcher = '200';
      }),
    ).toEqual([
      'Resources.Targets.Properties.Matcher: expected Matcher (an object), got string "200"',
      'Resources.Listener.Properties.Port: expected a number, got string "eighty"',
      'Resources.Listener.Properties.DefaultActions: expected a list, got an object',
      'Resources.Logs.Properties.RetentionInDays: 45 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ]);
  });

  it('reports a Ref, Fn::GetAtt, Fn::Sub or DependsOn to nothing, and an attribute the type lacks', () => {
    expect(
      mutated((t) => {
        t.Resources.Targets.Properties!.VpcId = { Ref: 'Vpc' };
        t.Resources.Listener.DependsOn = ['Target'];
        t.Outputs!.Address = { Value: { 'Fn::GetAtt': ['Balancer', 'DnsName'] } };
        t.Outputs!.Name = { Value: { 'Fn::GetAtt': 'Balancers.LoadBalancerFullName' } };
        t.Resources.Logs.Properties!.LogGroupName = { 'Fn::Sub': '/luz/${AWS::StackName}/${Stage}/${!Literal}' };
      }),
    ).toEqual([
      'Resources.Targets.Properties.VpcId: Ref to Vpc, which is no resource, parameter or pseudo parameter',
      'Resources.Listener.DependsOn: Target is no resource',
      'Resources.Logs.Properties.LogGroupName: Ref to Stage, which is no resource, parameter or pseudo parameter',
      'Outputs.Address.Value: AWS::ElasticLoadBalancingV2::LoadBalancer has no attribute DnsName (it has SecurityGroups, LoadBalancerName, CanonicalHostedZoneID, LoadBalancerArn, DNSName, LoadBalancerFullName)',
      'Outputs.Name.Value: Fn::GetAtt of Balancers, which is no resource',
    ]);
  });
});
