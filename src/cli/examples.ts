import type { AddHelpTextContext } from 'commander';

/**
 * A command's help text whose example command lines (`ice-doctor …`) use the invocation that works from the
 * user's shell: the root program's name (src/cli/invocation.ts), e.g. `npx ice-doctor probe …`. For
 * commander's `addHelpText('after', …)`.
 */
export function withInvocation(text: string): (context: AddHelpTextContext) => string {
  return ({ command }) => {
    let root = command;
    while (root.parent) root = root.parent;
    return text.replaceAll(/(^|\s)ice-doctor /gm, `$1${root.name()} `);
  };
}
