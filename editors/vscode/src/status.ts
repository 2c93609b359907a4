// The abi3ls/fileStatus custom request and how its answer is shown.

export const FILE_STATUS_METHOD = 'abi3ls/fileStatus';

/**
 * The server's answer (server/features.go FileStatus):
 * { uri, version, language, analyzed, reason?, target: "abi3 3.10+" | "abi3t 3.15+" | "audit",
 *   limited?, abi3t?, source: "config"|"define"|"header"|"compileFlags"|"buildFile"|"none",
 *   declaration?, location?: Location, minVersion?, minHex?, minSymbol?, minLocation?: Location,
 *   blockers: number, findings: number }
 */
export interface FileStatus {
  /** "abi3", "abi3t" or "audit". */
  mode: 'abi3' | 'abi3t' | 'audit';
  /** The server's target text, e.g. "abi3 3.10+". */
  label: string;
  /** Where the target came from, in words, e.g. "#define Py_LIMITED_API 0x030A0000 (spam.c:4)". */
  source: string;
  /** The lowest version the file's code needs, e.g. "3.9"; empty when none is pinned. */
  minimum: string;
  /** The API name that pins the minimum version, and where it is used ("spam.c:42"). */
  pinnedBy: string;
  pinnedAt: string;
  /** Distinct API names that no Limited API version has. */
  blockers: number;
  findings: number;
  /** Why the file was not analyzed (too large, excluded...), empty when it was. */
  notAnalyzed: string;
}

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** An LSP Location as "file:line". */
export function where(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    return '';
  }
  const o = v as Json;
  let file = str(o.uri);
  if (file.startsWith('file://')) {
    file = decodeURIComponent(file.slice('file://'.length));
  }
  const base = file.split('/').pop() ?? '';
  const start = (o.range as Json | undefined)?.start as Json | undefined;
  return typeof start?.line === 'number' && base !== '' ? `${base}:${start.line + 1}` : base;
}

const SOURCE_WORDS: Record<string, string> = {
  config: 'the abi3ls.target setting',
  define: 'a #define in the file',
  header: 'a #define in a local header',
  compileFlags: 'the compile flags',
  buildFile: 'a build file',
};

export function parseFileStatus(raw: unknown): FileStatus | undefined {
  if (raw === null || typeof raw !== 'object') {
    return undefined;
  }
  const o = raw as Json;
  const label = str(o.target) || 'audit';
  const mode: FileStatus['mode'] = label.startsWith('abi3t') ? 'abi3t' : label.startsWith('abi3') ? 'abi3' : 'audit';
  const kind = str(o.source);
  let source = '';
  if (mode !== 'audit') {
    const decl = str(o.declaration);
    const at = where(o.location);
    source = decl !== '' ? decl : SOURCE_WORDS[kind] ?? kind;
    if (at !== '') {
      source += ` (${at})`;
    }
  }
  return {
    mode,
    label,
    source,
    minimum: str(o.minVersion),
    pinnedBy: str(o.minSymbol),
    pinnedAt: where(o.minLocation),
    blockers: num(o.blockers),
    findings: num(o.findings),
    notAnalyzed: o.analyzed === false ? str(o.reason) || 'not analyzed' : '',
  };
}

/** The status bar text: "abi3 3.10+", "abi3t 3.15+" or "audit". */
export function statusText(s: FileStatus): string {
  return s.label;
}

/** A multi-line plain-text description, for the tooltip and "Show Minimum Target". */
export function describe(s: FileStatus): string {
  const lines: string[] = [];
  if (s.notAnalyzed !== '') {
    lines.push(`Not analyzed: ${s.notAnalyzed}.`);
  }
  if (s.mode === 'audit') {
    lines.push('Target: none declared (audit mode: every use outside the Limited API is reported).');
  } else {
    const what = s.mode === 'abi3t' ? 'free-threaded stable ABI' : 'Limited API';
    lines.push(`Target: ${s.label} (${what}), declared by ${s.source || 'unknown'}`);
  }
  if (s.minimum !== '') {
    let m = `Minimum version this file needs: ${s.minimum}`;
    if (s.pinnedBy !== '') {
      m += ` (${s.pinnedBy}${s.pinnedAt !== '' ? ` at ${s.pinnedAt}` : ''})`;
    }
    lines.push(m);
  } else if (s.blockers === 0) {
    lines.push('Minimum version this file needs: any (no versioned API used)');
  }
  if (s.blockers > 0) {
    lines.push(`${s.blockers} API name(s) that no Limited API version has`);
  }
  lines.push(`${s.findings} finding(s) in this file`);
  return lines.join('\n');
}
