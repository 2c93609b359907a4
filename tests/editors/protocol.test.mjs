// Wire-level test of `abi3ls serve` with Microsoft's protocol library
// (vscode-languageserver-protocol, what vscode-languageclient is built on).
// Run by tests/editor-protocol.sh: SERVER=/path/to/abi3ls FIXTURE=spam.c node --test protocol.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as rpc from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const SERVER = process.env.SERVER;
const FIXTURE = process.env.FIXTURE;
const DIAG_WAIT = Number(process.env.DIAG_WAIT ?? 15000);
assert.ok(SERVER && FIXTURE, 'SERVER and FIXTURE env');

const ws = mkdtempSync(join(tmpdir(), 'abi3ls-protocol-'));
mkdirSync(join(ws, '.git'));
const file = join(ws, 'spam.c');
writeFileSync(file, readFileSync(FIXTURE));
const uri = pathToFileURL(file).href;

const proc = spawn(SERVER, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'], cwd: ws });
const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
after(() => {
  conn.dispose();
  if (proc.exitCode === null) proc.kill('SIGKILL');
});

// Diagnostics arrive asynchronously; keep the latest per version.
const published = [];
let wake = () => {};
conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
  if (p.uri === uri) {
    published.push(p);
    wake();
  }
});
/** Waits for a publish for `version` (or any, when undefined) that satisfies pred. */
async function diagnostics(pred, version, what) {
  const deadline = Date.now() + DIAG_WAIT;
  for (;;) {
    const hit = [...published].reverse().find((p) => (version === undefined || p.version === undefined || p.version === version) && pred(p.diagnostics));
    if (hit) return hit.diagnostics;
    const left = deadline - Date.now();
    if (left <= 0) {
      const last = published.at(-1);
      throw new Error(`timed out waiting for diagnostics: ${what}; last publish: ${JSON.stringify(last)?.slice(0, 600)}`);
    }
    await new Promise((r) => {
      wake = r;
      setTimeout(r, Math.min(left, 200));
    });
  }
}
const abi001 = (ds) => ds.filter((d) => d.code === 'ABI001');

// workspace/applyEdit from the server (executeCommand abi3ls.fixAll) edits our copy of the document.
let doc;
const applied = [];
conn.onRequest(rpc.ApplyWorkspaceEditRequest.type, (p) => {
  const edits = p.edit.changes?.[uri] ?? p.edit.documentChanges?.find((c) => c.textDocument?.uri === uri)?.edits ?? [];
  applied.push(edits.length);
  doc = TextDocument.create(uri, 'c', doc.version + 1, TextDocument.applyEdits(doc, edits));
  return { applied: true };
});
conn.onRequest(rpc.ConfigurationRequest.type, (p) => p.items.map(() => null));
conn.onRequest(rpc.RegistrationRequest.type, () => null);
conn.onRequest(rpc.WorkDoneProgressCreateRequest.type, () => null);
conn.listen();

async function change(text) {
  doc = TextDocument.create(uri, 'c', doc.version + 1, text);
  await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: doc.version }, contentChanges: [{ text }] });
}
const posOf = (needle) => doc.positionAt(doc.getText().indexOf(needle));

test('abi3ls serve over stdio', { timeout: 60000 }, async (t) => {
  const init = await conn.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(ws).href,
    workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
    clientInfo: { name: 'abi3ls-protocol-test' },
    initializationOptions: { audit: 'hint' },
    capabilities: {
      workspace: { applyEdit: true, configuration: true, workspaceFolders: true },
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
        publishDiagnostics: { versionSupport: true },
      },
    },
  });
  const caps = init.capabilities;
  await t.test('initialize advertises the features', () => {
    assert.ok(caps.hoverProvider, 'hoverProvider');
    const kinds = caps.codeActionProvider?.codeActionKinds ?? [];
    assert.ok(kinds.includes('quickfix') && kinds.includes('source.fixAll.abi3ls'), `codeActionKinds ${kinds}`);
    assert.ok(caps.executeCommandProvider?.commands?.includes('abi3ls.fixAll'), 'abi3ls.fixAll command');
    assert.ok(init.serverInfo?.name?.includes('abi3ls'), `serverInfo ${JSON.stringify(init.serverInfo)}`);
  });
  await conn.sendNotification(rpc.InitializedNotification.type, {});

  doc = TextDocument.create(uri, 'c', 1, readFileSync(file, 'utf8'));
  await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'c', version: 1, text: doc.getText() } });

  let ds;
  await t.test('diagnostics: ABI001 errors on both PyTuple_GET_ITEM uses', async () => {
    ds = abi001(await diagnostics((d) => abi001(d).length === 2, 1, 'two ABI001'));
    const first = posOf('PyTuple_GET_ITEM(args, 0)');
    assert.deepEqual(ds[0].range.start, first);
    assert.equal(ds[0].range.end.character - ds[0].range.start.character, 'PyTuple_GET_ITEM'.length);
    assert.equal(ds[0].severity, rpc.DiagnosticSeverity.Error);
    assert.equal(ds[0].source, 'abi3ls');
    assert.match(ds[0].message, /PyTuple_GET_ITEM/);
  });

  await t.test('hover names the Limited API alternative', async () => {
    const pos = posOf('PyTuple_GET_ITEM(args, 0)');
    const hover = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: pos.line, character: pos.character + 3 } });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /PyTuple_GetItem/);
    const none = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.equal(none, null);
  });

  await t.test('abi3ls/fileStatus reports the declared target', async () => {
    const st = await conn.sendRequest('abi3ls/fileStatus', { textDocument: { uri } });
    assert.equal(st.target, 'abi3 3.10+');
    assert.equal(st.source, 'define');
    assert.match(st.declaration, /Py_LIMITED_API/);
    assert.equal(st.location?.range?.start?.line, posOf('#define Py_LIMITED_API').line);
  });

  await t.test('quick fix rewrites the first use; didChange clears its diagnostic', async () => {
    const actions = await conn.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri }, range: ds[0].range, context: { diagnostics: [ds[0]], only: ['quickfix'] } });
    const fix = actions.find((a) => a.kind === 'quickfix' && /PyTuple_GetItem/.test(a.title));
    assert.ok(fix, `a PyTuple_GetItem quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    const resolved = fix.edit ? fix : await conn.sendRequest(rpc.CodeActionResolveRequest.type, fix);
    await change(TextDocument.applyEdits(doc, resolved.edit.changes[uri]));
    assert.match(doc.getText(), /PyTuple_GetItem\(args, 0\)/);
    assert.match(doc.getText(), /PyTuple_GET_ITEM\(args, 1\)/);
    await diagnostics((d) => abi001(d).length === 1, doc.version, 'one ABI001 after the quick fix');
  });

  await t.test('source.fixAll.abi3ls fixes the rest', async () => {
    const actions = await conn.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.abi3ls'] } });
    const all = actions.find((a) => a.kind === 'source.fixAll.abi3ls');
    assert.ok(all?.edit, `a fix-all action with an edit: ${JSON.stringify(actions)?.slice(0, 300)}`);
    const text = TextDocument.applyEdits(doc, all.edit.changes[uri]);
    assert.doesNotMatch(text, /PyTuple_GET_ITEM/);
  });

  await t.test('executeCommand abi3ls.fixAll edits through workspace/applyEdit', async () => {
    await conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: 'abi3ls.fixAll', arguments: [uri] });
    assert.ok(applied.length >= 1 && applied[0] >= 1, `workspace/applyEdit received: ${applied}`);
    assert.doesNotMatch(doc.getText(), /PyTuple_GET_ITEM/);
    await change(doc.getText());
    await diagnostics((d) => abi001(d).length === 0, doc.version, 'no ABI001 after fix-all');
  });

  await t.test('didChangeConfiguration: severity override applies', async () => {
    await change(doc.getText().replace('PyTuple_GetItem(args, 1)', 'PyTuple_GET_ITEM(args, 1)'));
    await diagnostics((d) => abi001(d).length === 1 && abi001(d)[0].severity === 1, doc.version, 'ABI001 back as an error');
    await conn.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: { abi3ls: { severity: { ABI001: 'warning' } } } });
    await diagnostics((d) => abi001(d).length === 1 && abi001(d)[0].severity === rpc.DiagnosticSeverity.Warning, undefined, 'ABI001 as a warning');
  });

  await t.test('unknown method answers MethodNotFound', async () => {
    await assert.rejects(conn.sendRequest('abi3ls/noSuchMethod', {}), (e) => e.code === rpc.ErrorCodes.MethodNotFound);
  });

  await t.test('shutdown and exit with status 0', async () => {
    await conn.sendRequest(rpc.ShutdownRequest.type);
    await conn.sendNotification(rpc.ExitNotification.type);
    const [code] = proc.exitCode !== null ? [proc.exitCode] : await once(proc, 'exit');
    assert.equal(code, 0);
  });
});
