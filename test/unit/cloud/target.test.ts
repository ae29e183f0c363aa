import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCloudTarget, staticValue } from '../../../lib/cloud/target';
import { awsCall } from '../../../lib/cloud/request';
import { ErrorCode } from '../../../lib/core/errors';
import { REPO } from '../../support/serverless';
import { tempDir } from '../../support/cli';
import { rejectionOf } from '../../support/cloud';

describe('Function: resolveCloudTarget', () => {
  it('should take the service, stage and region of the repository\'s serverless.yml as `serverless deploy` resolves them', () => {
    // Act
    const target = resolveCloudTarget({}, { cwd: REPO, env: { AWS_REGION: 'eu-west-1' } });

    // Assess: provider.region is `${opt:region, 'us-east-1'}`, which wins over AWS_REGION as in osls
    expect(target).toEqual({ service: 'connectors', stage: 'dev', region: 'us-east-1' });
  });

  it('should let flags win, and use AWS_REGION when serverless.yml names no region', () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(join(dir.dir, 'serverless.yml'), 'service:\n  name: billing\nprovider:\n  name: aws\n  stage: ${env:STAGE}\n');

    // Act
    const fromFile = resolveCloudTarget({}, { cwd: dir.dir, env: { AWS_REGION: 'eu-west-1' } });
    const fromFlags = resolveCloudTarget({ service: 'x', stage: 'prod', region: 'ap-south-1' }, { cwd: dir.dir, env: { AWS_REGION: 'eu-west-1' } });
    dir.cleanup();

    // Assess
    expect(fromFile).toEqual({ service: 'billing', stage: 'dev', region: 'eu-west-1' });
    expect(fromFlags).toEqual({ service: 'x', stage: 'prod', region: 'ap-south-1' });
  });

  it('should ask for --service with a usage error when there is no serverless.yml', () => {
    // Prepare
    const dir = tempDir();

    // Act
    let error: (Error & { code?: string }) | undefined;
    try {
      resolveCloudTarget({}, { cwd: dir.dir, env: {} });
    } catch (e) {
      error = e as Error & { code?: string };
    }
    dir.cleanup();

    // Assess
    expect(error?.code).toBe(ErrorCode.USAGE);
    expect(error?.message).toMatch(/^give the Serverless service name with --service NAME, or run in the directory of serverless.yml \(.*serverless.yml does not exist\)$/);
  });

  it.each([
    ['dev', 'dev'],
    ["${opt:stage, 'dev'}", 'dev'],
    ['${opt:region, "eu-west-1"}', 'eu-west-1'],
    ['${env:STAGE}', undefined],
    ['${opt:stage}', undefined],
    [42, undefined],
  ])('should read %p as %p without osls', (value, expected) => {
    // Assess
    expect(staticValue(value)).toBe(expected);
  });
});

describe('Function: awsCall', () => {
  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers', 'no AWS credentials'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'the AWS endpoint cannot be reached'],
    ['ThrottlingException', 'Rate exceeded', 'throttled after the SDK\'s retries'],
  ])('should explain %s', async (name, message, hint) => {
    // Prepare
    const failure = name.startsWith('E') ? Object.assign(new Error(message), { code: name }) : Object.assign(new Error(message), { name });

    // Act
    const error = await rejectionOf(awsCall('Lambda Invoke f', () => Promise.reject(failure)));

    // Assess
    expect(error.code).toBe(ErrorCode.CLOUD_REQUEST_FAILED);
    expect(error.message).toContain(`Lambda Invoke f failed: ${name}: ${message} (${hint}`);
    expect(error.cause).toBe(failure);
  });
});
