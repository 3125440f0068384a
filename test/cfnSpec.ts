// Checks a CloudFormation template offline against the resource specification (@aws-cdk/aws-service-spec):
// resource types, property names, required properties, value types, and every Ref / Fn::GetAtt / Fn::Sub target.
// What CloudFormation itself would refuse at deploy time, found by `npm test` with no AWS account.
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

export interface Template {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[]; Condition?: string }>;
  Outputs?: Record<string, unknown>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** How deep nested property types are followed (the deepest in Luz's template is 4). */
const DEPTH_LIMIT = 12;

let loaded: SpecDatabase | undefined;
/** The specification, loaded once per process (≈ 2 s: a 2.6 MB gzipped database). */
export function specDatabase(): SpecDatabase {
  return (loaded ??= loadAwsServiceSpecSync());
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{Ref: …}`, `{"Fn::…": …}` or `{Condition: …}` as a whole value: CloudFormation computes it at deploy time. */
function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::') ? keys[0] : undefined;
}

/** Every problem found, one line each: `Resources.X.Properties.Y: what is wrong`. Empty when the template is sound. */
export function checkTemplate(template: Template, db: SpecDatabase = specDatabase()): string[] {
  const problems: string[] = [];
  const report = (path: string, message: string) => problems.push(`${path}: ${message}`);
  const resources = template.Resources ?? {};
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));

  const specOf = new Map<string, Resource | undefined>();
  const resourceSpec = (type: string): Resource | undefined => {
    if (!specOf.has(type)) specOf.set(type, db.lookup('resource', 'cloudFormationType', 'equals', type)[0]);
    return specOf.get(type);
  };
  const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

  // --- values against property types ---
  const definition = (type: PropertyType): TypeDefinition | undefined =>
    type.type === 'ref' ? (db.get('typeDefinition', type.reference.$ref) as TypeDefinition | undefined) : undefined;

  /** Problems of `value` as `type`, without reporting them (a union tries each member). */
  function typeProblems(type: PropertyType, value: unknown, path: string, depth: number): string[] {
    if (intrinsicName(value)) return [];
    const found: string[] = [];
    const fail = (message: string) => [`${path}: ${message}`];
    switch (type.type) {
      case 'string':
      case 'date-time':
        // CloudFormation turns a number or a boolean into its text where text is expected.
        return ['string', 'number', 'boolean'].includes(typeof value) ? [] : fail(`expected a string, got ${describe(value)}`);
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number)) return fail(`expected a number, got ${describe(value)}`);
        if (type.type === 'integer' && !Number.isInteger(number)) return fail(`expected an integer, got ${describe(value)}`);
        if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(number)) {
          return fail(`${number} is not one of ${type.allowedValues.join(', ')}`);
        }
        return [];
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : fail(`expected a boolean, got ${describe(value)}`);
      case 'json':
        return [];
      case 'null':
        return value === null ? [] : fail(`expected null, got ${describe(value)}`);
      case 'tag':
        if (!isObject(value) || !('Key' in value) || !('Value' in value)) return fail(`expected a tag {Key, Value}, got ${describe(value)}`);
        return [];
      case 'array':
        if (!Array.isArray(value)) return fail(`expected a list, got ${describe(value)}`);
        if (depth > DEPTH_LIMIT) return [];
        value.forEach((element, index) => found.push(...typeProblems(type.element, element, `${path}[${index}]`, depth + 1)));
        return found;
      case 'map':
        if (!isObject(value)) return fail(`expected a map, got ${describe(value)}`);
        if (depth > DEPTH_LIMIT) return [];
        for (const [key, element] of Object.entries(value)) found.push(...typeProblems(type.element, element, `${path}.${key}`, depth + 1));
        return found;
      case 'union': {
        const attempts = type.types.map((member) => typeProblems(member, value, path, depth));
        return attempts.some((attempt) => attempt.length === 0) ? [] : attempts.sort((a, b) => a.length - b.length)[0];
      }
      case 'ref': {
        const nested = definition(type);
        if (!nested) return [];
        if (!isObject(value)) return fail(`expected ${nested.name} (an object), got ${describe(value)}`);
        return depth > DEPTH_LIMIT ? [] : propertiesProblems(nested.properties, value, path, depth + 1, nested.name);
      }
    }
  }

  /** The type a property has now, or had (CloudFormation still accepts a previous type). */
  function propertyProblems(property: Property, value: unknown, path: string, depth: number): string[] {
    const attempts = [property.type, ...(property.previousTypes ?? [])].map((type) => typeProblems(type, value, path, depth));
    return attempts.some((attempt) => attempt.length === 0) ? [] : attempts[0];
  }

  function propertiesProblems(spec: Record<string, Property>, value: Record<string, unknown>, path: string, depth: number, typeName: string): string[] {
    const found: string[] = [];
    for (const [name, property] of Object.entries(spec)) {
      if (property.required && !(name in value)) found.push(`${path}: ${typeName} requires ${name}`);
    }
    for (const [name, element] of Object.entries(value)) {
      const property = spec[name];
      if (!property) found.push(`${path}.${name}: ${typeName} has no property ${name}`);
      else found.push(...propertyProblems(property, element, `${path}.${name}`, depth));
    }
    return found;
  }

  // --- references anywhere in the template ---
  const refTarget = (name: string, path: string) => {
    if (!(name in resources) && !parameters.has(name) && !PSEUDO_PARAMETERS.has(name)) report(path, `Ref to ${name}, which is no resource, parameter or pseudo parameter`);
  };
  const getAttTarget = (logicalId: string, attribute: string, path: string) => {
    const resource = resources[logicalId];
    if (!resource) return report(path, `Fn::GetAtt of ${logicalId}, which is no resource`);
    if (isCustom(resource.Type)) return;
    const spec = resourceSpec(resource.Type);
    if (spec && !(attribute in spec.attributes)) {
      report(path, `${resource.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ') || 'none'})`);
    }
  };
  const subTargets = (text: string, variables: Set<string>, path: string) => {
    for (const [, inner] of text.matchAll(/\$\{([^}]+)\}/g)) {
      if (inner.startsWith('!')) continue; // ${!Literal} is text
      const dot = inner.indexOf('.');
      if (variables.has(inner)) continue;
      if (dot > 0 && !inner.startsWith('AWS::')) getAttTarget(inner.slice(0, dot), inner.slice(dot + 1), path);
      else refTarget(inner, path);
    }
  };
  function walk(value: unknown, path: string, depth = 0): void {
    if (depth > 64) return;
    if (Array.isArray(value)) return value.forEach((element, index) => walk(element, `${path}[${index}]`, depth + 1));
    if (!isObject(value)) return;
    const intrinsic = intrinsicName(value);
    const argument = intrinsic ? value[intrinsic] : undefined;
    if (intrinsic === 'Ref') {
      if (typeof argument === 'string') refTarget(argument, path);
      else report(path, 'Ref takes a logical id');
    } else if (intrinsic === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(argument)
        ? argument
        : typeof argument === 'string'
          ? [argument.slice(0, argument.indexOf('.')), argument.slice(argument.indexOf('.') + 1)]
          : [];
      if (typeof logicalId !== 'string' || typeof attribute !== 'string' || logicalId === '') report(path, 'Fn::GetAtt takes [logical id, attribute]');
      else getAttTarget(logicalId, attribute, path);
    } else if (intrinsic === 'Fn::Sub') {
      const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
      if (typeof text === 'string') subTargets(text, new Set(Object.keys(isObject(variables) ? variables : {})), path);
    } else if (intrinsic === 'Condition') {
      if (typeof argument === 'string' && !conditions.has(argument)) report(path, `Condition ${argument} is not declared`);
    }
    for (const [key, element] of Object.entries(value)) walk(element, `${path}.${key}`, depth + 1);
  }

  // --- resources ---
  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `Resources.${logicalId}`;
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      report(path, 'a resource needs a Type');
      continue;
    }
    for (const target of [resource.DependsOn ?? []].flat()) {
      if (!(target in resources)) report(`${path}.DependsOn`, `${target} is no resource`);
    }
    if (resource.Condition !== undefined && !conditions.has(resource.Condition)) report(`${path}.Condition`, `${resource.Condition} is not declared`);
    walk(resource.Properties, `${path}.Properties`);
    if (isCustom(resource.Type)) continue;
    const spec = resourceSpec(resource.Type);
    if (!spec) {
      report(`${path}.Type`, `${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isObject(properties)) report(`${path}.Properties`, 'expected an object');
    else problems.push(...propertiesProblems(spec.properties, properties, `${path}.Properties`, 0, resource.Type));
  }
  walk(template.Outputs, 'Outputs');
  walk(template.Conditions, 'Conditions');
  return problems;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
