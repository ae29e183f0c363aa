import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTransforms } from '../../../lib/transforms';
import { withTransformTables } from '../../../lib/transforms/docs';

describe('lib/transforms/README.md', () => {
  it('should have its step options and built-in transforms tables up to date (npm run docs)', () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '../../../lib/transforms/README.md'), 'utf8');

    // Act
    const regenerated = withTransformTables(readme, defaultTransforms);

    // Assess
    expect(regenerated).toBe(readme);
    expect(readme).toContain('| `infinyon/jolt@x.y.z` | map |');
  });
});
