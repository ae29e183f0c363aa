/**
 * Resolves the intrinsic functions of a CloudFormation output value the way CloudFormation does
 * when it reports the stack's outputs (`DescribeStacks`) or a resource's properties, for the subset
 * the generator uses: `Ref`, `Fn::GetAtt`, `Fn::Join` and `Fn::Sub` (string form). Physical names
 * come from `physical` (pseudo parameters from {@link PSEUDO_VALUES}); an unknown reference fails
 * the test (a typo in a logical ID would fail the real deploy too).
 */

/** Physical values of `Ref` (`LogicalId`) and `Fn::GetAtt` (`LogicalId.Attribute`). */
export type PhysicalValues = Readonly<Record<string, string>>;

/** Values of the pseudo parameters the generator uses. */
export const PSEUDO_VALUES: PhysicalValues = { 'AWS::AccountId': '123456789012', 'AWS::Region': 'us-east-1', 'AWS::Partition': 'aws' };

export function resolveIntrinsics(value: unknown, physical: PhysicalValues): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, physical));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === 'Ref' || key === 'Fn::GetAtt') {
      const name = key === 'Ref' ? (arg as string) : (arg as string[]).join('.');
      const resolved = physical[name] ?? PSEUDO_VALUES[name];
      if (resolved === undefined) throw new Error(`no physical value for ${key} ${name}; have ${Object.keys(physical).join(', ')}`);
      return resolved;
    }
    if (key === 'Fn::Sub' && typeof arg === 'string') {
      return arg.replace(/\$\{([^}!]+)\}/g, (_, name: string) => resolveIntrinsics(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }, physical) as string);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => resolveIntrinsics(part, physical)).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, physical)]));
}

/**
 * Physical values for every resource of a template, as CloudFormation would generate them for
 * stack `stack`: `Ref` → `<stack>-<LogicalId>-<suffix>` (a generated name), `Fn::GetAtt X.Name` →
 * the same, `Fn::GetAtt X.Arn` → an ARN of it.
 */
export function fakePhysicalValues(stack: string, resources: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const id of Object.keys(resources)) {
    const name = `${stack}-${id}-1A2B3C4D5E6F`.slice(0, 64);
    values[id] = name;
    values[`${id}.Name`] = name;
    values[`${id}.Arn`] = `arn:aws:cloudformation:us-east-1:123456789012:${name}`;
  }
  return values;
}
