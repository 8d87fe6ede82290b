export interface ParsedCommand {
  /** `/name`, lower case. */
  name: string;
  args: string;
}

/** A command when the text starts with `/`, else undefined (a prompt). */
export function parseCommand(text: string): ParsedCommand | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return undefined;
  const [name, ...rest] = trimmed.split(/\s+/);
  return { name: name.toLowerCase(), args: rest.join(' ') };
}
