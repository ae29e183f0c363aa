import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/cli';
import { REPO } from '../../support/serverless';

jest.setTimeout(120_000);

/** `COPY <src> <dest>` lines of the Dockerfile's build stage (before the second FROM). */
function buildStageCopies(dockerfile: string): string[] {
  const stages = dockerfile.split(/^FROM /m);
  const build = stages[1] ?? '';
  return [...build.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((match) => {
    const parts = (match[1] as string).trim().split(/\s+/);
    return parts.slice(0, -1);
  });
}

// No Docker engine here: the image itself is built by scripts/build-image.sh. This checks what can
// break silently: that the build stage copies everything `npm run build` compiles.
describe('Dockerfile', () => {
  it('should copy into the build stage everything the TypeScript build needs', () => {
    // Prepare: a build context with only what the build stage copies (node_modules linked, as npm ci would install it)
    const copies = buildStageCopies(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
    const { dir, cleanup } = tempDir('connector-docker-');
    try {
      for (const source of copies) cpSync(join(REPO, source), join(dir, source), { recursive: true });
      symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));

      // Act
      const result = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], { cwd: dir, encoding: 'utf8' });

      // Assess
      expect(copies).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'bin', 'lib']));
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(spawnSync(process.execPath, [join(dir, 'bin/connector.js'), '--help'], { encoding: 'utf8' }).stdout).toContain('run');
    } finally {
      cleanup();
    }
  });
});
