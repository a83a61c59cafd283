/**
 * Errors a user can cause (bad flags, unreachable server, port in use). The CLI prints `message` on one
 * line and exits with `exitCode`; it never prints their stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  /**
   * @param code machine-readable cause, e.g. `'config'`, `'address-in-use'`, `'dns'`.
   * @param message one-line human explanation.
   * @param exitCode process exit code: 2 for usage/config errors (see DESIGN.md), 1 for failed checks.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** A flag, environment variable or config value is invalid (exit 2). */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('config', message, 2);
  }
}
