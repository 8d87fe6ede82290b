/** Sections of a systemd unit file: each key with every value it was given, in order. */
export type SystemdUnit = Record<string, Record<string, string[]>>;

/**
 * Parses a systemd unit file (sections, `Key=Value`, comments, backslash continuations) and
 * throws on any line that is none of these.
 */
export function parseSystemdUnit(text: string): SystemdUnit {
  const unit: SystemdUnit = {};
  let section: Record<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]] ??= {};
      return;
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!entry || !section) throw new Error(`line ${index + 1} is not a unit file line: ${line}`);
    (section[entry[1]] ??= []).push(entry[2].trim());
  });
  return unit;
}

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Parses an XML property list the way `plutil -lint` would judge it: well-formed XML (every tag
 * closed in order, comments without `--`), one `<plist>` root holding one value, and only the
 * plist elements (dict, key, array, string, integer, real, true, false).
 */
export function parsePlist(text: string): PlistValue {
  const body = text
    .replace(/^\s*<\?xml[^?]*\?>/, '')
    .replace(/^\s*<!DOCTYPE plist[^>]*>/, '')
    .replace(/<!--([\s\S]*?)-->/g, (_, comment: string) => {
      if (comment.includes('--')) throw new Error('"--" inside an XML comment');
      return '';
    });
  const tokens = (body.match(/<[^>]*>|[^<]+/g) ?? []).filter((t) => t.trim() !== '');
  let at = 0;
  const next = (): string => {
    if (at >= tokens.length) throw new Error('the plist ends early');
    return tokens[at++];
  };
  const expect = (token: string): void => {
    const found = next();
    if (found !== token) throw new Error(`expected ${token}, found ${found}`);
  };
  const content = (close: string): string => {
    const token = next();
    if (token === close) return '';
    if (token.startsWith('<')) throw new Error(`unexpected ${token} before ${close}`);
    expect(close);
    return token.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name]);
  };
  const value = (open: string): PlistValue => {
    switch (open) {
      case '<string>':
        return content('</string>');
      case '<integer>':
      case '<real>': {
        const raw = content(open.replace('<', '</'));
        const number = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(number)) throw new Error(`not a number: ${raw}`);
        if (open === '<integer>' && !Number.isInteger(number))
          throw new Error(`not an integer: ${raw}`);
        return number;
      }
      case '<true/>':
        return true;
      case '<false/>':
        return false;
      case '<array>': {
        const items: PlistValue[] = [];
        for (let token = next(); token !== '</array>'; token = next()) items.push(value(token));
        return items;
      }
      case '<dict>': {
        const dict: { [key: string]: PlistValue } = {};
        for (let token = next(); token !== '</dict>'; token = next()) {
          if (token !== '<key>') throw new Error(`expected <key> in a dict, found ${token}`);
          const key = content('</key>');
          if (key in dict) throw new Error(`key ${key} twice in one dict`);
          dict[key] = value(next());
        }
        return dict;
      }
      default:
        throw new Error(`not a plist element: ${open}`);
    }
  };
  expect('<plist version="1.0">');
  const root = value(next());
  expect('</plist>');
  if (at !== tokens.length) throw new Error(`content after </plist>: ${tokens[at]}`);
  return root;
}
