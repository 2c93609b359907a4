// Unit tests of the extension's pure parts (server discovery, status text),
// run by build.sh on the esbuild output in out/unit/.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { resolveServer, ServerNotFoundError, platformDir } = require('../out/unit/serverPath.js');
const { parseFileStatus, statusText, describe } = require('../out/unit/status.js');

function exe(dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, '#!/bin/sh\n');
  fs.chmodSync(p, 0o755);
  return p;
}

test('resolveServer: setting, then bundled, then PATH, then a clear error', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'abi3ls-unit-'));
  const ext = path.join(root, 'ext');
  const onPath = exe(path.join(root, 'pathdir'), 'abi3ls');
  const configured = exe(path.join(root, 'custom'), 'my-abi3ls');
  const envPath = path.join(root, 'pathdir');

  assert.throws(() => resolveServer('', ext, root, path.join(root, 'empty')), (e) =>
    e instanceof ServerNotFoundError && /go install github.com\/abi3ls\/abi3ls\/cmd\/abi3ls@latest/.test(e.message));
  assert.deepEqual(resolveServer('', ext, root, envPath), { command: onPath, source: 'PATH' });
  const bundled = exe(path.join(ext, 'bin', platformDir()), 'abi3ls');
  assert.deepEqual(resolveServer('', ext, root, envPath), { command: bundled, source: 'bundled' });
  assert.deepEqual(resolveServer(configured, ext, root, envPath), { command: configured, source: 'setting' });
  assert.deepEqual(resolveServer('${workspaceFolder}/custom/my-abi3ls', ext, root, envPath),
    { command: configured, source: 'setting' });
  assert.deepEqual(resolveServer('abi3ls', ext, root, envPath), { command: onPath, source: 'setting' });
  // A wrong setting is an error, never a silent fallback to another binary.
  assert.throws(() => resolveServer('/nonexistent/abi3ls', ext, root, envPath), (e) =>
    e instanceof ServerNotFoundError && e.fromSetting && /abi3ls\.path/.test(e.message));
});

test('parseFileStatus / statusText / describe', () => {
  const loc = (line) => ({ uri: 'file:///w/spam.c', range: { start: { line, character: 0 }, end: { line, character: 1 } } });
  const cases = [
    [{ target: 'abi3 3.10+', limited: '3.10', source: 'define', declaration: 'Py_LIMITED_API 0x030A0000', location: loc(3),
       minVersion: '3.9', minSymbol: 'PyType_FromModuleAndSpec', minLocation: loc(41), blockers: 0, findings: 2, analyzed: true },
     'abi3 3.10+', ['declared by Py_LIMITED_API 0x030A0000 (spam.c:4)', 'needs: 3.9 (PyType_FromModuleAndSpec at spam.c:42)']],
    [{ target: 'abi3t 3.15+', abi3t: '3.15', source: 'compileFlags', blockers: 0, findings: 0, analyzed: true },
     'abi3t 3.15+', ['free-threaded stable ABI', 'declared by the compile flags']],
    [{ target: 'audit', source: 'none', blockers: 3, findings: 3, analyzed: true },
     'audit', ['audit mode', '3 API name(s) that no Limited API version has']],
    [{ target: 'audit', source: 'none', blockers: 0, findings: 0, analyzed: false, reason: 'too large' },
     'audit', ['Not analyzed: too large.']],
  ];
  for (const [raw, text, parts] of cases) {
    const s = parseFileStatus(raw);
    assert.equal(statusText(s), text);
    const d = describe(s);
    for (const p of parts) assert.ok(d.includes(p), `${JSON.stringify(d)} lacks ${JSON.stringify(p)}`);
  }
  assert.equal(parseFileStatus(null), undefined);
});
