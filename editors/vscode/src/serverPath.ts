// Finding the abi3ls binary: the abi3ls.path setting, else the binary bundled
// in the extension for this platform, else abi3ls on PATH.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Resolved {
  command: string;
  source: 'setting' | 'bundled' | 'PATH';
}

export class ServerNotFoundError extends Error {
  constructor(message: string, readonly fromSetting: boolean) {
    super(message);
  }
}

const exe = process.platform === 'win32' ? 'abi3ls.exe' : 'abi3ls';

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Expands a leading ~ and ${workspaceFolder} / ${userHome} in a configured path. */
export function expandPath(p: string, workspaceFolder: string | undefined): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/')) {
    out = path.join(os.homedir(), out.slice(1));
  }
  out = out.replace(/\$\{userHome\}/g, os.homedir());
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (!path.isAbsolute(out) && workspaceFolder !== undefined && out.includes(path.sep)) {
    out = path.join(workspaceFolder, out);
  }
  return out;
}

/** The folder name of the bundled binary for this platform, e.g. "linux-x64". */
export function platformDir(): string {
  return `${process.platform}-${process.arch}`;
}

export function findOnPath(envPath: string | undefined, name: string = exe): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * Resolves the server binary. Throws ServerNotFoundError with a message that
 * says how to fix it.
 */
export function resolveServer(
  configured: string,
  extensionPath: string,
  workspaceFolder: string | undefined,
  envPath: string | undefined = process.env.PATH,
): Resolved {
  if (configured.trim() !== '') {
    const p = expandPath(configured, workspaceFolder);
    if (path.isAbsolute(p) || p.includes(path.sep)) {
      if (isExecutable(p)) {
        return { command: p, source: 'setting' };
      }
      throw new ServerNotFoundError(
        `abi3ls: the server binary set in "abi3ls.path" (${p}) does not exist or is not executable. ` +
          'Fix the setting, or clear it to use the bundled binary or abi3ls on PATH.',
        true,
      );
    }
    // A bare name: look it up on PATH.
    const onPath = findOnPath(envPath, p);
    if (onPath !== undefined) {
      return { command: onPath, source: 'setting' };
    }
    throw new ServerNotFoundError(
      `abi3ls: "${p}" (from "abi3ls.path") was not found on PATH. Set "abi3ls.path" to the binary's full path.`,
      true,
    );
  }
  const bundled = path.join(extensionPath, 'bin', platformDir(), exe);
  if (isExecutable(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  const onPath = findOnPath(envPath);
  if (onPath !== undefined) {
    return { command: onPath, source: 'PATH' };
  }
  throw new ServerNotFoundError(
    `abi3ls: no server binary found. This extension bundles one for linux-x64 only (this is ${platformDir()}). ` +
      'Install it with "go install github.com/abi3ls/abi3ls/cmd/abi3ls@latest" and make sure it is on PATH, ' +
      'or set "abi3ls.path" to the binary.',
    false,
  );
}
