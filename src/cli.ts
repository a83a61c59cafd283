#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerMain } from './commands/main-job.js';
import { registerProbe } from './commands/probe.js';
import { registerServe } from './commands/serve.js';
import { registerTurnCheck } from './commands/turn-check.js';
import { UserError } from './errors.js';

/**
 * The `ice-doctor` program: with no subcommand it runs the whole diagnosis on the embedded default;
 * `probe`, `serve` are the parts. Exit codes: 0 report produced, 1 a requested check failed, 2 usage or
 * config error (DESIGN.md).
 */
function buildProgram(): Command {
  const program = new Command('ice-doctor')
    .description(
      'Tells why a WebRTC call can or cannot connect: NAT behaviour (RFC 5780/4787), STUN/TURN reachability.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();
  registerMain(program);
  registerProbe(program);
  registerServe(program);
  registerTurnCheck(program);
  return program;
}

async function run(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`ice-doctor: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

await run();
