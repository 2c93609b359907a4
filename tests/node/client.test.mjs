// Drives `abi3ls serve` over stdio with Microsoft's vscode-languageserver-protocol
// (the library vscode-languageclient is built on) and checks positions with
// vscode-languageserver-textdocument, an implementation of UTF-16 positions
// independent of the server's. Run by tests/node-client.sh with SERVER set
// to the built binary.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as rpc from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const SERVER = process.env.SERVER;
if (!SERVER) throw new Error('SERVER must name the abi3ls binary');

const proc = spawn(SERVER, ['serve', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = rpc.createProtocolConnection(
  new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
after(() => { conn.dispose(); if (proc.exitCode === null) proc.kill('SIGKILL'); });

// Issue 4's scenario, with characters outside the BMP before the uses so
// UTF-16 columns differ from code points and bytes.
const SRC = [
  '#define Py_LIMITED_API 0x03080000',
  '#include <Python.h>',
  '',
  'static PyObject *',
  'first(PyObject *self, PyObject *t)',
  '{',
  '    /* 🐍 snake */ PyObject *o = PyTuple_GET_ITEM(t, 0);',
  '    const char *name = /* é */ Py_TYPE(o)->tp_name;',
  '    (void)name;',
  '    Py_INCREF(o);',
  '    return o;',
  '}',
  '',
  'static PyObject *',
  'make(PyObject *module, PyType_Spec *spec)',
  '{',
  '    return PyType_FromModuleAndSpec(module, spec, NULL);',
  '}',
  '',
].join('\n');

test('abi3ls serve with vscode-languageserver-protocol', { timeout: 60000 }, async () => {
  const published = [];
  let wake = null;
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => { published.push(p); wake?.(); });
  // diagnostics(uri, version) waits for the publish of that version.
  const diagnostics = async (uri, version) => {
    for (;;) {
      const i = published.findIndex((p) => p.uri === uri && p.version === version);
      if (i >= 0) return published.splice(i, 1)[0].diagnostics;
      await new Promise((r) => { wake = r; });
    }
  };
  conn.listen();

  const init = await conn.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid, rootUri: null, workspaceFolders: null,
    clientInfo: { name: 'abi3ls-node-test' },
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      textDocument: {
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } } },
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      },
      workspace: { applyEdit: true },
    },
  });
  assert.equal(init.serverInfo.name, 'abi3ls');
  assert.ok(init.serverInfo.version);
  assert.equal(init.capabilities.positionEncoding, 'utf-16');
  assert.equal(init.capabilities.textDocumentSync.change, rpc.TextDocumentSyncKind.Incremental);
  assert.equal(init.capabilities.hoverProvider, true);
  assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('quickfix'));
  assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.abi3ls'));
  await conn.sendNotification(rpc.InitializedNotification.type, {});

  const uri = 'file:///tmp/abi3ls-node/mod.c';
  let doc = TextDocument.create(uri, 'c', 1, SRC);
  await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'c', version: doc.version, text: doc.getText() } });

  let diags = await diagnostics(uri, 1);
  assert.deepEqual(diags.map((d) => d.code), ['ABI001', 'ABI004', 'ABI002']);
  // Every range covers its name, measured by the textdocument library.
  assert.deepEqual(diags.map((d) => doc.getText(d.range)), ['PyTuple_GET_ITEM', 'tp_name', 'PyType_FromModuleAndSpec']);
  for (const d of diags) {
    assert.equal(d.source, 'abi3ls');
    assert.equal(d.severity, rpc.DiagnosticSeverity.Error);
  }
  const abi002 = diags.find((d) => d.code === 'ABI002');
  assert.match(abi002.message, /3\.10/);
  assert.equal(abi002.relatedInformation[0].location.range.start.line, 0, 'ABI002 points at the define');
  assert.match(diags[0].codeDescription.href, /^https:\/\/docs\.python\.org\//);

  // Hover explains each.
  for (const [d, want] of [[diags[0], /not in the Limited API/], [diags[1], /opaque/], [diags[2], /3\.10/]]) {
    const hover = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: d.range.start });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, want);
    assert.ok(hover.contents.value.includes(doc.getText(d.range)));
  }

  // applyFix takes the quick fix titled like want for diagnostic d, applies
  // it to the client's copy and sends it as incremental changes.
  const applyFix = async (d, want) => {
    const actions = await conn.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri }, range: d.range,
      context: { diagnostics: [d], only: [rpc.CodeActionKind.QuickFix] } });
    const action = actions.find((a) => want.test(a.title));
    assert.ok(action, `no action like ${want} in ${actions.map((a) => a.title)}`);
    assert.equal(action.kind, 'quickfix');
    assert.deepEqual(action.diagnostics.map((x) => x.code), [d.code]);
    const edits = action.edit.changes ? action.edit.changes[uri] : action.edit.documentChanges[0].edits;
    const expected = TextDocument.applyEdits(doc, edits);
    // Changes apply one after the other: send them last to first so each
    // range is still valid.
    const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
    const changes = sorted.map((e) => ({ range: e.range, text: e.newText }));
    doc = TextDocument.update(doc, changes, doc.version + 1);
    assert.equal(doc.getText(), expected);
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: doc.version }, contentChanges: changes });
    return diagnostics(uri, doc.version);
  };

  diags = await applyFix(diags[0], /PyTuple_GetItem/);
  assert.match(doc.getText(), /PyTuple_GetItem\(t, 0\)/);
  assert.deepEqual(diags.map((d) => d.code), ['ABI004', 'ABI002'], 'the quick fix removed ABI001');
  assert.deepEqual(diags.map((d) => doc.getText(d.range)), ['tp_name', 'PyType_FromModuleAndSpec']);

  diags = await applyFix(diags.find((d) => d.code === 'ABI002'), /0x030A0000/);
  assert.match(doc.getText(), /^#define Py_LIMITED_API 0x030A0000/);
  assert.deepEqual(diags.map((d) => d.code), ['ABI004'], 'raising the define removed ABI002');

  const status = await conn.sendRequest('abi3ls/fileStatus', { textDocument: { uri } });
  assert.equal(status.target, 'abi3 3.10+');
  assert.equal(status.source, 'define');

  // A typed edit that brings a problem back, then one that removes it.
  const at = doc.positionAt(doc.getText().indexOf('PyTuple_GetItem'));
  const retype = async (text, len) => {
    const changes = [{ range: { start: at, end: { line: at.line, character: at.character + len } }, text }];
    doc = TextDocument.update(doc, changes, doc.version + 1);
    await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: doc.version }, contentChanges: changes });
    return diagnostics(uri, doc.version);
  };
  diags = await retype('PyTuple_GET_ITEM', 'PyTuple_GetItem'.length);
  assert.deepEqual(diags.map((d) => d.code), ['ABI001', 'ABI004']);
  diags = await retype('PyTuple_GetItem', 'PyTuple_GET_ITEM'.length);
  assert.deepEqual(diags.map((d) => d.code), ['ABI004'], 'didChange cleared the diagnostic');

  await assert.rejects(conn.sendRequest('abi3ls/noSuchMethod', {}), (e) => e.code === -32601);

  await conn.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  await conn.sendRequest(rpc.ShutdownRequest.type);
  await conn.sendNotification(rpc.ExitNotification.type);
  const [code] = await once(proc, 'exit');
  assert.equal(code, 0);
});
