#!/usr/bin/env node
// A broken language server for testing the editor tests: it answers
// initialize (advertising what abi3ls advertises), shutdown and exit, and
// answers every other request with null, but never publishes a diagnostic.
// Each tests/editor-*.sh run with --silent-server must FAIL against it.
const caps = {
  textDocumentSync: { openClose: true, change: 1 },
  hoverProvider: true,
  codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.abi3ls'] },
  executeCommandProvider: { commands: ['abi3ls.fixAll'] },
};
let buf = Buffer.alloc(0);
const send = (msg) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
};
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const sep = buf.indexOf('\r\n\r\n');
    if (sep < 0) return;
    const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, sep).toString());
    const len = m ? Number(m[1]) : 0;
    if (buf.length < sep + 4 + len) return;
    const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString());
    buf = buf.subarray(sep + 4 + len);
    if (msg.method === 'exit') process.exit(0);
    if (msg.id === undefined || msg.method === undefined) continue;
    if (msg.method === 'initialize') {
      send({ id: msg.id, result: { capabilities: caps, serverInfo: { name: 'abi3ls (silent test server)', version: '0' } } });
    } else {
      send({ id: msg.id, result: null });
    }
  }
});
process.stdin.on('end', () => process.exit(0));
