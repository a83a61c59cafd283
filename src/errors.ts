/**
 * Errors a user can cause (bad flags, unreachable server, port in use). The CLI prints `message` on one
 * line and exits with `exitCode`; it never prints their stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  /**
   * @param code machine-readable cause, e.g. `'config'`, `'settings'`, `'address-in-use'`, `'dns'`.
   * @param message one-line human explanation.
   * @param exitCode process exit code: 2 for usage/config errors (docs/ARCHITECTURE.md), 1 for failed checks.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/**
 * A setting given to the library (`startStunServer`, `startTurnServer`, `resolveTurnSettings`,
 * `startReportServer` …) is invalid (exit 2 when it reaches the CLI). Thrown by src/server, src/client and
 * src/web/server, which know settings by their API field names, never by flags: the message is
 * `<field>: <detail>`, e.g. `port: must be a port number (0–65535), got '70000'`. The CLI's parsers
 * (src/cli/config/) catch it and say the same `detail` under the flag, variable or config-file key the value
 * came from, as a {@link ConfigError}.
 */
export class SettingsError extends UserError {
  override name = 'SettingsError';
  /**
   * @param field the API field the value was given in, e.g. `'altPort'`, `'turn.authSecrets'`.
   * @param detail what is wrong and what is accepted, without the field.
   */
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super('settings', `${field}: ${detail}`, 2);
  }
}

/**
 * A flag, environment variable or config-file value of the CLI is invalid (exit 2). Thrown only by
 * src/cli (and the URL parsers it shares with the client); the message names the flag (`--port: …`), the
 * variable (`ICE_DOCTOR_REALM: …`) or the file and key (`serve.yaml: port: …`).
 */
export class ConfigError extends UserError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('config', message, 2);
  }
}
