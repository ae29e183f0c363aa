/**
 * Packaging a throwaway copy of the service with the real osls CLI: the helpers live in
 * scripts/service-dir.ts (the deploy benchmarks use them too); re-exported here for the tests.
 */
export {
  artifactOf,
  packagedFiles,
  packagedTemplate,
  REPO,
  resourcesOfType,
  runServerless,
  runServerlessGroups,
  SERVERLESS,
  SERVERLESS_GROUPS,
  serviceDir,
  type ServerlessResult,
  type ServiceDir,
  type Template,
} from '../../scripts/service-dir';
