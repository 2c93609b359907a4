// The abi3ls/fileStatus custom request and how its answer is shown.

export const FILE_STATUS_METHOD = 'abi3ls/fileStatus';

/** What the status bar and "Show Minimum Target" display; normalised from the server's answer. */
export interface FileStatus {
  /** "abi3", "abi3t" or "audit". */
  mode: 'abi3' | 'abi3t' | 'audit';
  /** Target version, e.g. "3.10"; empty in audit mode. */
  target: string;
  /** Where the target came from, in words, e.g. "#define in spam.c:3". */
  source: string;
  /** The lowest version the file's code needs, e.g. "3.9"; empty when unknown. */
  minimum: string;
  /** The API name that pins the minimum version. */
  pinnedBy: string;
  /** Where that name is used, e.g. "spam.c:42". */
  pinnedAt: string;
  /** Uses that no Limited API version allows. */
  blockers: string[];
}

type Json = Record<string, unknown>;

function str(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number') {
    return String(v);
  }
  return '';
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function pick(o: Json | undefined, ...keys: string[]): unknown {
  if (o === undefined) {
    return undefined;
  }
  for (const k of keys) {
    if (o[k] !== undefined && o[k] !== null) {
      return o[k];
    }
  }
  return undefined;
}

/** Formats a location answer ({uri|path, line} or a string) as "file:line". */
function where(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  const o = obj(v);
  if (o === undefined) {
    return '';
  }
  let file = str(pick(o, 'path', 'file', 'uri'));
  if (file.startsWith('file://')) {
    file = decodeURIComponent(file.slice('file://'.length));
  }
  const base = file.split('/').pop() ?? file;
  const range = obj(o.range);
  const start = obj(range?.start);
  let line = typeof o.line === 'number' ? o.line : undefined;
  if (line === undefined && start !== undefined && typeof start.line === 'number') {
    line = start.line + 1; // LSP ranges are 0-based
  }
  return line !== undefined && base !== '' ? `${base}:${line}` : base;
}

/**
 * Normalises the server's answer. Tolerant of field names so that small
 * server-side changes degrade the display instead of breaking it.
 */
export function parseFileStatus(raw: unknown): FileStatus | undefined {
  const o = obj(raw);
  if (o === undefined) {
    return undefined;
  }
  const targetObj = obj(o.target);
  let target = str(targetObj ? pick(targetObj, 'version', 'target') : pick(o, 'target', 'targetVersion', 'version'));
  const abi3t = Boolean(targetObj ? pick(targetObj, 'abi3t', 'freeThreaded') : pick(o, 'abi3t', 'freeThreaded'));
  const modeRaw = str(pick(o, 'mode', 'kind'));
  let audit = Boolean(pick(o, 'audit')) || modeRaw === 'audit' || target === '' || target === 'audit';
  if (modeRaw === 'abi3' || modeRaw === 'abi3t') {
    audit = false;
  }
  if (audit) {
    target = '';
  }
  const mode: FileStatus['mode'] = audit ? 'audit' : abi3t || modeRaw === 'abi3t' ? 'abi3t' : 'abi3';

  const srcRaw = pick(o, 'source', 'origin', 'targetSource', 'from');
  const srcObj = obj(srcRaw);
  let source = '';
  if (srcObj !== undefined) {
    const kind = str(pick(srcObj, 'description', 'kind', 'type'));
    const text = str(pick(srcObj, 'text', 'declaration'));
    const at = where(pick(srcObj, 'location', 'at', 'uri', 'path'));
    source = [kind, text && `(${text})`, at && `at ${at}`].filter((s) => s !== '').join(' ');
  } else {
    source = str(srcRaw);
    const at = where(pick(o, 'sourceLocation', 'declaredAt', 'location'));
    const text = str(pick(o, 'sourceText', 'declaration', 'text'));
    if (text !== '') {
      source += ` (${text})`;
    }
    if (at !== '') {
      source += ` at ${at}`;
    }
  }

  const minRaw = pick(o, 'minimum', 'minimumVersion', 'minVersion', 'min');
  const minObj = obj(minRaw);
  const minimum = str(minObj ? pick(minObj, 'version') : minRaw);
  const pinnedBy = str(minObj ? pick(minObj, 'symbol', 'pinnedBy') : pick(o, 'pinnedBy', 'pinningSymbol', 'symbol'));
  const pinnedAt = where(minObj ? pick(minObj, 'at', 'location') : pick(o, 'pinnedAt', 'pinLocation'));
  const blockersRaw = (minObj ? pick(minObj, 'blockers') : pick(o, 'blockers')) ?? [];
  const blockers = Array.isArray(blockersRaw)
    ? blockersRaw.map((b) => (typeof b === 'string' ? b : str(pick(obj(b), 'symbol', 'name')))).filter((b) => b !== '')
    : [];
  return { mode, target, source: source.trim(), minimum, pinnedBy, pinnedAt, blockers };
}

/** The status bar text: "abi3 3.10+", "abi3t 3.15+" or "audit". */
export function statusText(s: FileStatus): string {
  if (s.mode === 'audit') {
    return 'audit';
  }
  return `${s.mode} ${s.target}+`;
}

/** A multi-line plain-text description, used for the tooltip and the "Show Minimum Target" message. */
export function describe(s: FileStatus): string {
  const lines: string[] = [];
  if (s.mode === 'audit') {
    lines.push('No Limited API target declared: audit mode (every use outside the Limited API is reported).');
  } else {
    lines.push(`Target: ${s.mode === 'abi3t' ? 'free-threaded stable ABI (abi3t)' : 'Limited API (abi3)'} ${s.target}`);
    if (s.source !== '') {
      lines.push(`Declared by: ${s.source}`);
    }
  }
  if (s.minimum !== '') {
    let m = `Minimum version this file needs: ${s.minimum}`;
    if (s.pinnedBy !== '') {
      m += ` (because of ${s.pinnedBy}${s.pinnedAt !== '' ? ` at ${s.pinnedAt}` : ''})`;
    }
    lines.push(m);
  } else if (s.blockers.length === 0) {
    lines.push('Minimum version this file needs: 3.2 (no versioned API used)');
  }
  if (s.blockers.length > 0) {
    const shown = s.blockers.slice(0, 5).join(', ');
    lines.push(`Outside every Limited API version: ${shown}${s.blockers.length > 5 ? ', ...' : ''}`);
  }
  return lines.join('\n');
}
