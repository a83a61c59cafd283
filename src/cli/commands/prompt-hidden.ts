import { ConfigError } from '../../errors.js';

/** The longest line {@link promptHidden} takes, in characters. */
const MAX_LINE_CHARS = 1024;

/**
 * Reads one line from a terminal on stdin without echoing it (raw mode), after writing `prompt` to stderr:
 * Enter ends it, Backspace removes a character, Ctrl-C or Ctrl-D cancels. For passwords.
 * @throws ConfigError `--password-file: …` when cancelled or longer than 1024 characters.
 */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (outcome: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish(() => resolve(text));
          return;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish(() => reject(new ConfigError('--password-file: no password given (cancelled)')));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
        if (text.length > MAX_LINE_CHARS) {
          finish(() => reject(new ConfigError('--password-file: the password is too long')));
          return;
        }
      }
    };
    stdin.on('data', onData);
  });
}
