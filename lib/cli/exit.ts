import { ConnectorError } from '../core/errors';

/** Process exit codes of the `connector` command. */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** Runtime failure: topic missing, records not delivered, connector not found… */
  FAILURE: 1,
  /** Bad config or bad usage. */
  USAGE: 2,
} as const;

/** Exit code for an error: config/secrets/usage errors → 2, everything else → 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ConnectorError && /^(CONFIG_|SECRETS_|USAGE)/.test(err.code)) return ExitCode.USAGE;
  return ExitCode.FAILURE;
}
