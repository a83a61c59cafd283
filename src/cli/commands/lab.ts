import type { Command } from 'commander';
import { LAB_NATS } from '../../lab/lab-nats.js';
import { withInvocation } from '../examples.js';

interface LabFlags {
  nat?: string;
  json?: boolean;
  list?: boolean;
}

/** `--help`'s list of the networks: each `--nat` name with its description, from LAB_NATS. */
function natsHelp(): string {
  const entries = Object.entries(LAB_NATS);
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, plan]) => `  ${name.padEnd(width)}  ${plan.description}`).join('\n');
}

const EXAMPLES = `
Examples:
  ice-doctor lab --nat symmetric
  ice-doctor lab run --nat symmetric -- ice-doctor probe
  ice-doctor lab run --nat port-restricted -- node my-app.js
  ice-doctor lab run --nat symmetric -- chromium --headless --no-sandbox --user-data-dir=/tmp/lab-chromium --dump-dom http://203.0.113.10:8080/
  ice-doctor lab list`;

/**
 * `ice-doctor lab`: the NAT lab as a user feature (Linux, root; docs/lab.md). `lab --nat NAME` builds the
 * network namespaces of NAME (src/lab/lab-nats.ts), starts the bundled server in pub, prints what was built
 * (`--json`: one line) and keeps it until SIGINT/SIGTERM; `lab run --nat NAME -- CMD…` runs CMD in the
 * client namespace of a lab of its own and exits with CMD's exit code; `lab list` (or `--list`) prints the
 * names. Every form tears down what it built (processes by PID, namespaces, temp dir), also on a signal.
 * Exit 2: a bad `--nat`, or the lab cannot run here (one line naming why: not Linux, not root, no `ip
 * netns`); 127: CMD not found.
 */
export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('build a NAT lab (Linux, root) with the bundled server and run commands behind the NAT')
    .option('--nat <name>', `the network to build: ${Object.keys(LAB_NATS).join(', ')}`)
    .option('--json', 'print what was built as one JSON line')
    .option('--list', 'print the --nat names, one a line, and exit')
    .enablePositionalOptions()
    .addHelpText(
      'after',
      (context) => `\nNetworks (--nat):\n${natsHelp()}\n${withInvocation(EXAMPLES)(context)}`,
    )
    .action(async (flags: LabFlags) => {
      const { parseNat, labNatNames } = await import('../config/lab-flags.js');
      if (flags.list) return void process.stdout.write(`${labNatNames().join('\n')}\n`);
      const nat = parseNat(flags.nat);
      const { holdLab } = await import('./lab-session.js');
      await holdLab(nat, { json: flags.json === true, program: program.name() });
    });
  lab
    .command('run')
    .description("run a command in the client namespace of a lab of its own; exit with the command's code")
    .option('--nat <name>', `the network to build: ${Object.keys(LAB_NATS).join(', ')}`)
    .argument('<command...>', 'the command and its arguments (after --)')
    .passThroughOptions()
    .addHelpText(
      'after',
      withInvocation(`
The command gets ICE_DOCTOR_LAB_NAT, ICE_DOCTOR_LAB_STUN, ICE_DOCTOR_LAB_TURN, ICE_DOCTOR_LAB_TURN_URLS,
ICE_DOCTOR_LAB_TURN_USER, ICE_DOCTOR_LAB_TURN_PASSWORD, ICE_DOCTOR_LAB_PAGE, ICE_DOCTOR_LAB_NETNS and
ICE_DOCTOR_STUN_SERVERS (so 'ice-doctor probe' inside probes the lab's server) in its environment.

Example:
  ice-doctor lab run --nat symmetric -- ice-doctor probe --json`),
    )
    .action(async (command: string[], flags: { nat?: string }) => {
      const { parseNat } = await import('../config/lab-flags.js');
      const nat = parseNat(flags.nat);
      const { runInLab } = await import('./lab-session.js');
      await runInLab(nat, command);
    });
  lab
    .command('list')
    .description('print the --nat names, one a line')
    .action(async () => {
      const { labNatNames } = await import('../config/lab-flags.js');
      process.stdout.write(`${labNatNames().join('\n')}\n`);
    });
}
