import { ESBUILD_WORK_FOLDER, shareArtifacts } from '../../../lib/deploy/artifacts';
import { POLLER_HANDLER } from '../../../lib/deploy/function';
import { SINK_HANDLER } from '../../../lib/deploy/sink';

describe('Function: shareArtifacts', () => {
  const poller = (name: string, patterns?: string[]) => ({ handler: POLLER_HANDLER, name, environment: { CONNECTOR_CONFIG: `name: ${name}` }, ...(patterns ? { package: { patterns } } : {}) });
  const sink = (name: string) => ({ handler: SINK_HANDLER, name });

  it('should package the first function of each kind and point the others at its zip, skipping their build', () => {
    // Prepare
    const functions = { quotes: poller('quotes'), catFacts: poller('cat-facts'), webhook: sink('webhook'), archive: sink('archive'), zebra: poller('zebra') };

    // Act
    const shared = shareArtifacts(functions);

    // Assess
    expect(Object.keys(shared)).toEqual(Object.keys(functions));
    expect(shared.catFacts).toEqual(functions.catFacts);
    expect(shared.archive).toEqual(functions.archive);
    expect(shared.quotes).toEqual({ ...functions.quotes, skipEsbuild: true, package: { artifact: `${ESBUILD_WORK_FOLDER}/.serverless/catFacts.zip` } });
    expect(shared.zebra).toMatchObject({ skipEsbuild: true, package: { artifact: '.esbuild/.serverless/catFacts.zip' } });
    expect(shared.webhook).toEqual({ ...functions.webhook, skipEsbuild: true, package: { artifact: '.esbuild/.serverless/archive.zip' } });
  });

  it('should share a zip between functions with the same SmartModule files only, whatever their order', () => {
    // Prepare
    const functions = {
      a: poller('a', ['configs/x.wasm', 'configs/y.wasm']),
      b: poller('b', ['configs/y.wasm', 'configs/x.wasm']),
      c: poller('c', ['configs/x.wasm']),
      d: poller('d'),
    };

    // Act
    const shared = shareArtifacts(functions, 'build-work');

    // Assess
    expect(shared.a).toEqual(functions.a);
    expect(shared.b).toMatchObject({ skipEsbuild: true, package: { artifact: 'build-work/.serverless/a.zip' } });
    expect(shared.b!.package).toEqual({ artifact: 'build-work/.serverless/a.zip' });
    expect(shared.c).toEqual(functions.c);
    expect(shared.d).toEqual(functions.d);
  });

  it('should not modify its input', () => {
    // Prepare
    const functions = { a: poller('a'), b: poller('b') };
    const before = JSON.stringify(functions);

    // Act
    shareArtifacts(functions);

    // Assess
    expect(JSON.stringify(functions)).toBe(before);
  });
});
