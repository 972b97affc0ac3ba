import { parseArgs } from 'node:util';

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/**
 * The start every `conversa <noun> <action>` command shares: parse the flags, answer `--help`,
 * refuse an unknown action. Answers the parsed flags with the action and the positionals after
 * it, or the exit code to return at once (0 after `--help`, 2 for bad usage, with the help text).
 * A command without actions (`conversa backup --to FILE`) passes `actions: []`: its action is ''
 * and every positional is in `rest`.
 */
export function parseSubcommand<O extends Options>(
  argv: string[],
  io: { out(text: string): void; err(text: string): void },
  spec: { noun: string; actions: readonly string[]; options: O; help: string },
): { action: string; rest: string[]; values: Values<O> } | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...spec.options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${spec.help}`);
    return 2;
  }
  const values = parsed.values as Values<O> & { help?: boolean };
  const hasActions = spec.actions.length > 0;
  const [action, ...rest] = hasActions ? parsed.positionals : ['', ...parsed.positionals];
  if (values.help || (hasActions && !action)) {
    io.out(spec.help);
    return values.help ? 0 : 2;
  }
  if (hasActions && !spec.actions.includes(action as string)) {
    io.err(`Unknown ${spec.noun} command "${action}".\n\n${spec.help}`);
    return 2;
  }
  return { action: action as string, rest, values };
}
