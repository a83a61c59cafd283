import { describe, expect, it } from 'vitest';
import { labRunAs } from '../../src/cli/commands/lab-run-as.js';

const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

describe('labRunAs: who `lab run` runs the command as', () => {
  it('root without sudo: as root, nothing prefixed', () => {
    expect(labRunAs({ PATH }, 0)).toEqual({ prefix: [], env: {} });
  });

  it('not root (sudo variables inherited): as this process', () => {
    expect(labRunAs({ PATH, SUDO_UID: '1000', SUDO_GID: '1000' }, 1000)).toEqual({ prefix: [], env: {} });
  });

  it('sudo from root, or malformed ids: as root', () => {
    expect(labRunAs({ PATH, SUDO_UID: '0', SUDO_GID: '0' }, 0)).toEqual({ prefix: [], env: {} });
    expect(labRunAs({ PATH, SUDO_UID: '1000; rm', SUDO_GID: '1000' }, 0)).toEqual({ prefix: [], env: {} });
    expect(labRunAs({ PATH, SUDO_UID: '1000' }, 0)).toEqual({ prefix: [], env: {} });
  });

  it.skipIf(process.platform !== 'linux')(
    'root via sudo: setpriv to the sudo user, its HOME and name',
    () => {
      const runAs = labRunAs({ PATH, SUDO_UID: '65534', SUDO_GID: '65534' }, 0);
      expect(runAs.prefix.slice(1)).toEqual(['--reuid=65534', '--regid=65534', '--init-groups', '--']);
      expect(runAs.prefix[0]).toMatch(/\/setpriv$/);
      expect(runAs.env).toEqual({ HOME: '/nonexistent', USER: 'nobody', LOGNAME: 'nobody' });
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'a uid without a passwd entry: no supplementary groups, no HOME',
    () => {
      const runAs = labRunAs({ PATH, SUDO_UID: '4000000000', SUDO_GID: '4000000000' }, 0);
      expect(runAs.prefix.slice(1)).toEqual([
        '--reuid=4000000000',
        '--regid=4000000000',
        '--clear-groups',
        '--',
      ]);
      expect(runAs.env).toEqual({});
    },
  );

  it('setpriv not on PATH: refuses with one line', () => {
    expect(() => labRunAs({ PATH: '/nonexistent-dir', SUDO_UID: '1000', SUDO_GID: '1000' }, 0)).toThrow(
      /^setpriv \(util-linux\) not found: cannot run the command as the sudo user \(uid 1000\)$/,
    );
  });
});
