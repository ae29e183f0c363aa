import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase } from '@aws-cdk/service-spec-types';
import { closest, distance } from 'fastest-levenshtein';

/**
 * Checks a CloudFormation template (e.g. the `.serverless/cloudformation-template-update-stack.json` that
 * `serverless package` writes) against the CloudFormation resource specification shipped by
 * `@aws-cdk/aws-service-spec`, so tests catch what CloudFormation would reject at deploy time.
 */

/** One thing CloudFormation would reject. `logicalId` is '' for template-level problems. */
export interface TemplateProblem {
  /** Logical ID of the resource, output, parameter or condition concerned ('' for the whole template). */
  logicalId: string;
  /** Where inside that entry, e.g. `Properties.Target.RetryPolicy.MaximumEventAgeInSeconds`, `DependsOn[0]`. */
  path: string;
  /** Human message, starting with the full location and saying what was expected. */
  message: string;
}

/** CloudFormation quotas on one template (AWS docs "CloudFormation quotas"). */
export const CFN_LIMITS = { resources: 500, outputs: 200, parameters: 200 } as const;

/** Pseudo parameters usable in `Ref` and `${...}` of `Fn::Sub`. */
export const PSEUDO_PARAMETERS = [
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
] as const;

const TEMPLATE_SECTIONS = [
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings',
  'Conditions', 'Transform', 'Resources', 'Outputs', 'Hooks',
] as const;
const RESOURCE_KEYS = [
  'Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy',
  'UpdatePolicy', 'CreationPolicy', 'Metadata',
] as const;
const OUTPUT_KEYS = ['Description', 'Value', 'Export', 'Condition'] as const;
/** Attributes whose name has a free-form suffix (`Fn::GetAtt: [Stack, Outputs.BucketName]`). */
const DYNAMIC_ATTRIBUTE_PREFIXES: Readonly<Record<string, string>> = {
  'AWS::CloudFormation::Stack': 'Outputs.',
  'AWS::ServiceCatalog::CloudFormationProvisionedProduct': 'Outputs.',
};
/** The standard resource tag shape (`{ Key, Value }`, both required). */
const TAG_PROPERTIES: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

type Obj = Record<string, unknown>;
/** A problem inside one entry; `kind` marks "wrong JSON kind at this very path" (used to merge union alternatives). */
interface Issue { path: string; message: string; kind?: boolean }

let specPromise: Promise<SpecDatabase> | undefined;

/**
 * Loads the CloudFormation resource specification once per process (jest: once per test file) and
 * caches it. Takes about 0.6-0.7 s (gunzip + JSON parse of the ~2.6 MB db.json.gz).
 *
 * @throws whatever `loadAwsServiceSpec` throws when the package's db.json.gz is missing or corrupt.
 */
export function loadCfnSpec(): Promise<SpecDatabase> {
  specPromise ??= loadAwsServiceSpec();
  return specPromise;
}

/**
 * Validates a CloudFormation template against the resource specification. Never throws for a bad
 * template: every finding is returned as a {@link TemplateProblem} (empty list = nothing found).
 *
 * Checks: known top-level sections and resource keys; logical IDs alphanumeric; each resource `Type`
 * exists in the spec (`Custom::*` and `AWS::CloudFormation::CustomResource` take any properties);
 * property names known and required ones present, recursively into property types, lists and maps;
 * JSON kinds (string/number/boolean vs list vs object; numbers and booleans written as strings are
 * accepted, as CloudFormation does); no `null` values; `Ref` / `Fn::GetAtt` / `Fn::Sub` `${X}` and
 * `${X.Attr}` targets and attribute names, `DependsOn`, `Condition`, `Fn::If` and `Fn::FindInMap`
 * names exist; outputs have a `Value`; at most {@link CFN_LIMITS} resources, outputs and parameters.
 * Values that are intrinsic functions (`{ Ref }`, `{ "Fn::…" }`) match any property type and are not
 * descended into for the spec check (their arguments are still checked for references).
 *
 * @param template - the parsed template JSON.
 * @returns the problems, in template order.
 * @example
 * ```ts
 * const problems = await checkTemplate(JSON.parse(readFileSync(file, 'utf8')));
 * expect(problems).toEqual([]);
 * ```
 */
export async function checkTemplate(template: unknown): Promise<TemplateProblem[]> {
  const db = await loadCfnSpec();
  const problems: TemplateProblem[] = [];
  const add = (logicalId: string, where: string, issues: Issue[]): void => {
    for (const i of issues) {
      const at = [where, i.path].filter(Boolean).join('.');
      problems.push({ logicalId, path: i.path, message: at ? `${at}: ${i.message}` : i.message });
    }
  };
  if (!isObject(template)) {
    add('', '', [{ path: '', message: 'a template must be a JSON object' }]);
    return problems;
  }
  add('', '', unknownKeys(template, TEMPLATE_SECTIONS, 'template section'));
  const resources = section(template, 'Resources');
  const parameters = section(template, 'Parameters');
  const outputs = section(template, 'Outputs');
  const names: Names = {
    resources: new Map(Object.entries(resources).map(([id, r]) => [id, isObject(r) && typeof r.Type === 'string' ? r.Type : undefined])),
    parameters: new Set(Object.keys(parameters)),
    conditions: new Set(Object.keys(section(template, 'Conditions'))),
    mappings: new Set(Object.keys(section(template, 'Mappings'))),
  };
  if (!isObject(template.Resources) || names.resources.size === 0) {
    add('', '', [{ path: 'Resources', message: 'a template must have at least one resource' }]);
  }
  for (const [key, label] of [['Resources', 'resources'], ['Outputs', 'outputs'], ['Parameters', 'parameters']] as const) {
    const count = Object.keys(section(template, key)).length;
    if (count > CFN_LIMITS[label]) {
      add('', '', [{ path: key, message: `${count} ${label}, CloudFormation allows at most ${CFN_LIMITS[label]}` }]);
    }
  }
  for (const [id, p] of Object.entries(parameters)) {
    if (!isObject(p) || typeof p.Type !== 'string') add(id, `Parameters.${id}`, [{ path: 'Type', message: 'a parameter needs a Type' }]);
  }
  for (const [id, c] of Object.entries(section(template, 'Conditions'))) {
    add(id, `Conditions.${id}`, checkRefs(c, '', { names, self: id, inConditions: true, db }));
  }
  for (const [id, resource] of Object.entries(resources)) {
    add(id, id, checkResource(db, names, id, resource));
  }
  for (const [id, output] of Object.entries(outputs)) {
    add(id, `Outputs.${id}`, checkOutput(db, names, id, output));
  }
  return problems;
}

/** Names declared by the template, for reference checks. */
interface Names {
  resources: Map<string, string | undefined>;
  parameters: Set<string>;
  conditions: Set<string>;
  mappings: Set<string>;
}

function checkResource(db: SpecDatabase, names: Names, id: string, resource: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!LOGICAL_ID.test(id)) issues.push({ path: '', message: 'logical IDs must be 1-255 letters and digits' });
  if (!isObject(resource)) return [...issues, { path: '', message: 'a resource must be an object with a Type' }];
  issues.push(...unknownKeys(resource, RESOURCE_KEYS, 'resource attribute'));
  const type = resource.Type;
  const properties = resource.Properties ?? {};
  if (typeof type !== 'string') {
    issues.push({ path: 'Type', message: 'a resource needs a Type string' });
  } else if (!isCustomType(type)) {
    const spec = findResource(db, type);
    if (!spec) {
      const hint = suggest(type, db.all('resource').map((r) => r.cloudFormationType));
      issues.push({ path: 'Type', message: `unknown resource type ${type}${hint}` });
    } else if (!isObject(properties)) {
      issues.push({ path: 'Properties', message: `expected an object, got ${kindOf(properties)}`, kind: true });
    } else {
      issues.push(...checkObject(db, properties, spec.properties, 'Properties', type));
    }
  }
  const ctx: RefContext = { names, self: id, inConditions: false, db };
  issues.push(...checkRefs(resource.Properties, 'Properties', ctx));
  issues.push(...checkCondition(names, resource.Condition, 'Condition'));
  const dependsOn = resource.DependsOn;
  if (dependsOn !== undefined) {
    const list = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    list.forEach((target, i) => {
      const path = Array.isArray(dependsOn) ? `DependsOn[${i}]` : 'DependsOn';
      if (typeof target !== 'string' || !names.resources.has(target) || target === id) {
        issues.push({ path, message: `DependsOn target ${JSON.stringify(target)} must be another resource of this template${suggest(String(target), names.resources.keys())}` });
      }
    });
  }
  return issues;
}

function checkOutput(db: SpecDatabase, names: Names, id: string, output: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!LOGICAL_ID.test(id)) issues.push({ path: '', message: 'logical IDs must be 1-255 letters and digits' });
  if (!isObject(output)) return [...issues, { path: '', message: 'an output must be an object with a Value' }];
  issues.push(...unknownKeys(output, OUTPUT_KEYS, 'output key'));
  if (output.Value === undefined || output.Value === null) issues.push({ path: 'Value', message: 'an output needs a Value' });
  const ctx: RefContext = { names, self: '', inConditions: false, db };
  issues.push(...checkRefs(output.Value, 'Value', ctx), ...checkRefs(output.Export, 'Export', ctx));
  issues.push(...checkCondition(names, output.Condition, 'Condition'));
  return issues;
}

/** Property names, required properties and kinds of `value` against the properties of `owner`. */
function checkObject(db: SpecDatabase, value: Obj, props: Record<string, Property>, path: string, owner: string): Issue[] {
  const issues: Issue[] = [];
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (!prop) {
      const known = Object.keys(props).sort();
      const expected = known.length ? `expected one of ${known.join(', ')}` : 'expected no properties';
      issues.push({ path: `${path}.${key}`, message: `unknown property of ${owner}${suggest(key, known)}, ${expected}` });
    } else {
      const types = [prop.type, ...(prop.previousTypes ?? [])];
      const type: PropertyType = types.length === 1 ? prop.type : { type: 'union', types };
      issues.push(...checkValue(db, v, type, `${path}.${key}`, owner));
    }
  }
  for (const [key, prop] of Object.entries(props)) {
    if (prop.required && !(key in value)) {
      issues.push({ path: `${path}.${key}`, message: `missing required property ${key} of ${owner}` });
    }
  }
  return issues;
}

/** `value` against one spec type; intrinsic functions match anything. */
function checkValue(db: SpecDatabase, value: unknown, type: PropertyType, path: string, owner: string): Issue[] {
  if (value === null) return [{ path, message: "'null' values are not allowed in templates" }];
  if (isIntrinsic(value)) return [];
  const wrong = (expected: string): Issue[] => [{ path, message: `expected ${expected}, got ${kindOf(value)}`, kind: true }];
  switch (type.type) {
    case 'string':
    case 'date-time':
      return isScalar(value) ? [] : wrong('a string');
    case 'integer':
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        ? [] : wrong('a number (or a numeric string)');
    case 'boolean':
      return typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value))
        ? [] : wrong('a boolean (or "true"/"false")');
    case 'json':
    case 'null':
      return [];
    case 'tag':
      return isObject(value) ? checkObject(db, value, TAG_PROPERTIES, path, 'Tag') : wrong('an object (Tag)');
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((v, i) => checkValue(db, v, type.element, `${path}[${i}]`, owner))
        : wrong('a list');
    case 'map':
      return isObject(value)
        ? Object.entries(value).flatMap(([k, v]) => checkValue(db, v, type.element, `${path}.${k}`, owner))
        : wrong('an object (map)');
    case 'ref': {
      const def = db.get('typeDefinition', type.reference);
      const name = `${owner.split('.')[0]}.${def.name}`;
      return isObject(value) ? checkObject(db, value, def.properties, path, name) : wrong(`an object (${name})`);
    }
    case 'union': {
      const outcomes = type.types.map((t) => checkValue(db, value, t, path, owner));
      if (outcomes.some((o) => o.length === 0)) return [];
      const kindMatched = outcomes.filter((o) => !(o.length === 1 && o[0]!.kind));
      if (kindMatched.length) return kindMatched.reduce((a, b) => (b.length < a.length ? b : a));
      const expected = [...new Set(outcomes.map((o) => o[0]!.message.replace(/^expected (.*), got .*$/, '$1')))];
      return wrong(expected.join(' or '));
    }
  }
}

interface RefContext { names: Names; self: string; inConditions: boolean; db: SpecDatabase }

/** Walks any value and checks the targets of `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, `Fn::FindInMap`. */
function checkRefs(value: unknown, path: string, ctx: RefContext): Issue[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => checkRefs(v, `${path}[${i}]`, ctx));
  if (!isObject(value)) return [];
  const issues: Issue[] = [];
  const keys = Object.keys(value);
  const fn = keys.length === 1 ? keys[0]! : '';
  const arg = value[fn];
  const at = join(path, fn);
  if (fn === 'Ref') return checkRefTarget(arg, at, ctx);
  if (fn === 'Fn::GetAtt') {
    const [target, attribute] = typeof arg === 'string' ? splitOnce(arg) : Array.isArray(arg) ? [arg[0], arg[1]] : [undefined, undefined];
    return [...checkGetAtt(target, attribute, at, ctx), ...checkRefs(attribute, at, ctx)];
  }
  if (fn === 'Fn::Sub') {
    const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
    const local = new Set(isObject(vars) ? Object.keys(vars) : []);
    for (const match of typeof text === 'string' ? text.matchAll(/\$\{([^}]*)\}/g) : []) {
      const name = match[1]!.trim();
      if (name.startsWith('!') || local.has(name)) continue;
      const [target, attribute] = splitOnce(name);
      const label = `Fn::Sub \${${name}}`;
      issues.push(...(attribute === undefined ? checkRefTarget(name, at, ctx, label) : checkGetAtt(target, attribute, at, ctx, label)));
    }
    return [...issues, ...checkRefs(vars, `${at}[1]`, ctx)];
  }
  if (fn === 'Fn::If' && Array.isArray(arg)) issues.push(...checkCondition(ctx.names, arg[0], `${at}[0]`));
  if (fn === 'Condition' && ctx.inConditions) return checkCondition(ctx.names, arg, at);
  if (fn === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string' && !ctx.names.mappings.has(arg[0])) {
    issues.push({ path: `${at}[0]`, message: `Fn::FindInMap: no mapping named ${arg[0]} in Mappings${suggest(arg[0], ctx.names.mappings)}` });
  }
  for (const [k, v] of Object.entries(value)) issues.push(...checkRefs(v, join(path, k), ctx));
  return issues;
}

function checkRefTarget(target: unknown, path: string, ctx: RefContext, label = `Ref ${JSON.stringify(target)}`): Issue[] {
  const { resources, parameters } = ctx.names;
  const known = typeof target === 'string'
    && ((!ctx.inConditions && resources.has(target)) || parameters.has(target) || (PSEUDO_PARAMETERS as readonly string[]).includes(target));
  if (known && target !== ctx.self) return [];
  const what = ctx.inConditions ? 'a parameter or pseudo parameter' : 'another resource, a parameter or a pseudo parameter';
  const candidates = [...(ctx.inConditions ? [] : resources.keys()), ...parameters, ...PSEUDO_PARAMETERS];
  return [{ path, message: `${label}: expected ${what}${suggest(String(target), candidates)}` }];
}

function checkGetAtt(
  target: unknown, attribute: unknown, path: string, ctx: RefContext,
  label = `Fn::GetAtt ${typeof target === 'string' ? target : JSON.stringify(target)}.${String(attribute)}`,
): Issue[] {
  const { resources } = ctx.names;
  if (typeof target !== 'string' || !resources.has(target) || target === ctx.self || ctx.inConditions) {
    return [{ path, message: `${label}: expected another resource of this template${suggest(String(target), resources.keys())}` }];
  }
  const type = resources.get(target);
  const spec = type === undefined || isCustomType(type) ? undefined : findResource(ctx.db, type);
  if (!spec || typeof attribute !== 'string') return [];
  const known = Object.keys(spec.attributes);
  const prefix = DYNAMIC_ATTRIBUTE_PREFIXES[spec.cloudFormationType];
  if (known.includes(attribute) || (prefix && attribute.startsWith(prefix))) return [];
  const expected = known.length ? `expected one of ${known.sort().join(', ')}` : 'it has no attributes';
  return [{ path, message: `${label}: ${type} has no attribute ${attribute}${suggest(attribute, known)}, ${expected}` }];
}

function checkCondition(names: Names, condition: unknown, path: string): Issue[] {
  if (condition === undefined || (typeof condition === 'string' && names.conditions.has(condition))) return [];
  return [{ path, message: `condition ${JSON.stringify(condition)} is not defined in Conditions${suggest(String(condition), names.conditions)}` }];
}

function findResource(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

function isCustomType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** `{ Ref: … }` or `{ "Fn::…": … }`: one key naming an intrinsic function. */
function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

function unknownKeys(value: Obj, allowed: readonly string[], what: string): Issue[] {
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: k, message: `unknown ${what}${suggest(k, allowed)}, expected one of ${allowed.join(', ')}` }));
}

/** ` (did you mean X?)` when a known name is close enough to be a typo of `name`, else ''. */
function suggest(name: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  if (list.length === 0) return '';
  const best = closest(name, list);
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}

function section(template: Obj, key: string): Obj {
  const value = template[key];
  return isObject(value) ? value : {};
}

function splitOnce(s: string): [string, string | undefined] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s, undefined] : [s.slice(0, dot), s.slice(dot + 1)];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
