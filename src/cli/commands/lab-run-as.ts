import { execFileSync } from 'node:child_process';
import { findCommand } from '../config/lab-flags.js';

/** How `lab run` starts the user's command: the argv after `ip netns exec <ns>` and environment overrides. */
export interface RunAs {
  /** Put before the command: `setpriv --reuid=UID --regid=GID --init-groups --` (or `--clear-groups`), or []. */
  readonly prefix: readonly string[];
  /** `HOME`, `USER`, `LOGNAME` of the sudo user (from its passwd entry), or {} when none is known. */
  readonly env: Readonly<Record<string, string>>;
}

/** A uid/gid as sudo writes it into SUDO_UID/SUDO_GID: decimal digits only. */
const ID = /^\d+$/;

/** The passwd entry of `uid` (`getent passwd UID`): name and home, or null when there is none. */
function passwdEntry(uid: string): { name: string; home: string } | null {
  try {
    const line = execFileSync('getent', ['passwd', uid], { encoding: 'utf8' }).trim();
    const fields = line.split(':');
    if (fields.length < 7 || fields[0] === undefined || fields[5] === undefined) return null;
    return { name: fields[0], home: fields[5] };
  } catch {
    return null;
  }
}

/**
 * Who `lab run` runs the command as. The lab needs root to build; the command does not: when this process
 * is root and was started by sudo (SUDO_UID and SUDO_GID set, non-zero uid), the command runs as that user
 * through util-linux `setpriv` (its supplementary groups from its passwd entry, none when it has no entry),
 * with its `HOME`, `USER` and `LOGNAME`. Otherwise (not root, not via sudo, or sudo from root) it runs as
 * this process does.
 * @param env the caller's environment (SUDO_UID, SUDO_GID, PATH).
 * @throws Error (one line) when the command must drop to the sudo user but `setpriv` is not on PATH.
 */
export function labRunAs(env: NodeJS.ProcessEnv, euid: number): RunAs {
  const uid = env.SUDO_UID;
  const gid = env.SUDO_GID;
  if (euid !== 0 || uid === undefined || gid === undefined) return { prefix: [], env: {} };
  if (!ID.test(uid) || !ID.test(gid) || uid === '0') return { prefix: [], env: {} };
  const setpriv = findCommand('setpriv', env.PATH ?? '');
  if (setpriv === null)
    throw new Error(`setpriv (util-linux) not found: cannot run the command as the sudo user (uid ${uid})`);
  const user = passwdEntry(uid);
  const groups = user === null ? '--clear-groups' : '--init-groups';
  const prefix = [setpriv, `--reuid=${uid}`, `--regid=${gid}`, groups, '--'];
  if (user === null) return { prefix, env: {} };
  return { prefix, env: { HOME: user.home, USER: user.name, LOGNAME: user.name } };
}
