import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../support/serverless';

const dockerignore = require('@balena/dockerignore') as () => { add(patterns: string[]): { ignores(path: string): boolean } };

/** `COPY <src…> <dest>` lines of the Dockerfile's final stage (after the last FROM), as [sources, dest]. */
function finalStageCopies(dockerfile: string): Array<[string[], string]> {
  const stages = dockerfile.split(/^FROM /m);
  const last = stages[stages.length - 1] ?? '';
  return [...last.matchAll(/^COPY (?!--from)(.+)$/gm)].map((match) => {
    const parts = (match[1] as string).trim().split(/\s+/);
    return [parts.slice(0, -1), parts[parts.length - 1] as string];
  });
}

// No Docker engine here: this checks, with Docker's own .dockerignore matching rules, that the
// image a streaming task runs carries the SmartModule files its config's transforms name.
describe('container image and SmartModule files', () => {
  const rules = dockerignore().add(readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n'));

  it('should send the .wasm files under configs/ to the build, and not the config YAML (it travels in CONNECTOR_CONFIG)', () => {
    // Assess
    expect(rules.ignores('configs/shout.wasm')).toBe(false);
    expect(rules.ignores('configs/team/filter.wasm')).toBe(false);
    expect(rules.ignores('configs/quotes-periodic.yaml')).toBe(true);
    expect(rules.ignores('configs/team/x.yml')).toBe(true);
    expect(rules.ignores('node_modules/zod/index.js')).toBe(true);
  });

  it('should copy configs/ into the image\'s working directory, where CONNECTOR_CONFIG_FILE paths resolve', () => {
    // Prepare
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

    // Act
    const copies = finalStageCopies(dockerfile);

    // Assess
    expect(copies).toContainEqual([['configs'], 'configs']);
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
  });
});
