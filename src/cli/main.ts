#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, UserError } from '../errors.js';
import { IceUrlError } from '../shared/ice-url.js';
import { registerAdmin } from './commands/admin.js';
import { registerExporter } from './commands/exporter.js';
import { registerInvite } from './commands/invite.js';
import { registerLab } from './commands/lab.js';
import { registerMain } from './commands/main-job.js';
import { registerProbe } from './commands/probe.js';
import { registerServe } from './commands/serve.js';
import { registerTurnCheck } from './commands/turn-check.js';
import { invocation } from './invocation.js';
import { nearestCommand } from './suggest.js';

// Start-up stays light: the command modules import only commander's types at the top and load what their
// action needs with import() (bench/startup-bench.mjs measures `--version` against `node -e 0`).

/** The one line printed after a usage error: where the usage of `command` is explained. */
function helpHint(program: Command, command: Command): string {
  let path = '';
  for (let c: Command | null = command; c !== null && c !== program; c = c.parent)
    path = ` ${c.name()}${path}`;
  return `Run '${program.name()}${path} --help' for usage.`;
}

/** `unknown command 'prob'. Did you mean 'probe'?` as a usage error (exit 2). */
function unknownCommand(program: Command, word: string): UserError {
  const names = program.commands.map((c) => c.name());
  const near = nearestCommand(word, names);
  const hint = near ? `Did you mean '${near}'?` : `Commands: ${names.join(', ')}.`;
  return new UserError('usage', `unknown command '${word}'. ${hint}`);
}

/**
 * The `ice-doctor` program: with no subcommand it runs the whole diagnosis on the embedded default;
 * `probe`, `serve`, `turn-check` are the parts, `help [command]` shows a command's help. Its name is the
 * invocation that works from the user's shell (src/cli/invocation.ts). A usage error prints the error and
 * one line pointing at `--help`. Exit codes: 0 report produced, 1 a requested check failed, 2 usage or
 * config error (docs/ARCHITECTURE.md, "Contracts").
 */
function buildProgram(name: string, onAction: (command: Command) => void): Command {
  const program = new Command('ice-doctor')
    .name(name)
    .description(
      'Tells why a WebRTC call can or cannot connect: NAT behaviour (RFC 5780/4787), STUN/TURN reachability.',
    )
    .version('0.1.0')
    .helpCommand(false)
    .enablePositionalOptions()
    .exitOverride();
  registerMain(program);
  registerProbe(program);
  registerServe(program);
  registerTurnCheck(program);
  registerExporter(program);
  registerLab(program);
  registerInvite(program);
  registerAdmin(program);
  program
    .command('help')
    .description('show the help of a command')
    .argument('[command]', 'a command name')
    .action((word?: string) => {
      if (word === undefined) return program.outputHelp();
      const command = program.commands.find((c) => c.name() === word);
      if (!command) throw unknownCommand(program, word);
      command.outputHelp();
    });
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)])
    command.showHelpAfterError(helpHint(program, command));
  // The root's own action would otherwise take `ice-doctor prob` as an excess argument ("too many
  // arguments") and `ice-doctor serv --port 0` as an unknown root option: both are let through here, and
  // the first word is named as an unknown command below (an unknown option as an unknown option).
  program.allowExcessArguments(true).allowUnknownOption(true);
  program.hook('preAction', (_root, actionCommand) => {
    onAction(actionCommand);
    const first = program.args[0];
    if (actionCommand !== program || first === undefined) return;
    if (!first.startsWith('-')) throw unknownCommand(program, first);
    program.error(`error: unknown option '${first}'`, { code: 'commander.unknownOption', exitCode: 2 });
  });
  return program;
}

/**
 * A reader that stops early (`ice-doctor serve --help | head`) closes the pipe: the next write to stdout
 * fails with EPIPE, which is not the user's mistake nor ours. Stop quietly (exit 0) instead of printing a
 * stack; any other stdout error still surfaces.
 */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

async function run(): Promise<void> {
  quietOnClosedStdout();
  const name = invocation();
  let active: Command | null = null;
  const program = buildProgram(name, (command) => {
    active = command;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (caught) {
    // The clients refuse a STUN/TURN URL with an IceUrlError; here it is a configuration error (exit 2).
    // The CLI bundle keeps src/shared/ice-url.ts external (scripts/build-cli.mjs), so this is the class the
    // lazily loaded modules throw.
    const err = caught instanceof IceUrlError ? new ConfigError(caught.message) : caught;
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`ice-doctor: ${err.message}\n`);
      if (err.exitCode === 2 && (err.code === 'config' || err.code === 'usage'))
        process.stderr.write(`${helpHint(program, err.code === 'usage' ? program : (active ?? program))}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

await run();
