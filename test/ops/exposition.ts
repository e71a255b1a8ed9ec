// A strict reader of the Prometheus text exposition format (version 0.0.4, as the Prometheus
// documentation "Exposition formats" describes it), written for these tests: every line must be
// a # HELP, a # TYPE, a blank line or a sample of a family whose TYPE came first.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function value(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`not a sample value: ${text}`);
  return n;
}

function labels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text ?? '';
  while (rest.length) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad label set at: ${rest}`);
    out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** The family a sample belongs to: histograms and summaries add suffixes to their family's name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  if (families.has(name)) return families.get(name);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      const f = families.get(help[1]) ?? { type: '', help: '', samples: [] };
      f.help = help[2];
      families.set(help[1], f);
      continue;
    }
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      if (!TYPES.has(type[2])) throw new Error(`unknown type: ${line}`);
      const f = families.get(type[1]) ?? { type: '', help: '', samples: [] };
      if (f.samples.length) throw new Error(`TYPE after samples: ${line}`);
      f.type = type[2];
      families.set(type[1], f);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const f = familyOf(m[1], families);
    if (!f || !f.type) throw new Error(`sample before its TYPE: ${line}`);
    f.samples.push({ name: m[1], labels: labels(m[2]), value: value(m[3]) });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `match`; throws when not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  const f = familyOf(name, families);
  const found = (f?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(match)}`);
  return found[0].value;
}
