// Drives code-server (VS Code in the browser) with headless Chromium and checks
// the abi3ls extension in the real editor UI. Run by tests/editor-vscode.sh with
// PORT, WS (workspace folder), OUT (artifacts folder), PROFILE (browser profile).
// Every wait is bounded; exit 1 when a check fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const { PORT, WS, OUT, PROFILE } = process.env;
let failed = false;
const t0 = Date.now();
const check = (ok, what) => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what} [+${Date.now() - t0} ms]`);
  if (!ok) failed = true;
  return ok;
};
const norm = (s) => (s ?? '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
const shots = [];

const ctx = await chromium.launchPersistentContext(PROFILE, {
  executablePath: process.env.CHROME || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
page.setDefaultTimeout(20000);
page.setDefaultNavigationTimeout(90000);
page.on('pageerror', (e) => console.log('pageerror:', e.message.slice(0, 200)));

async function shot(name) {
  const path = `${OUT}/${name}.png`;
  await page.screenshot({ path });
  shots.push(path);
  console.log(`SCREENSHOT ${path}`);
}

// Texts of the editor's squiggles (error and warning), in document order.
const squiggleCount = () => page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').count();
const editorText = () => page.evaluate(() => [...document.querySelectorAll('.monaco-editor .view-lines')]
  .map((e) => e.textContent).join('\n').replace(/\u00a0/g, ' '));
const statusItems = () => page.evaluate(() => [...document.querySelectorAll('.statusbar-item')]
  .map((e) => ({ id: e.id, text: e.textContent.replace(/\u00a0/g, ' ').trim(), aria: e.getAttribute('aria-label') ?? '' })));

async function runCommand(title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await page.waitForFunction((t) => [...document.querySelectorAll('.quick-input-list .monaco-list-row')]
    .some((r) => r.textContent.includes(t)), title, { timeout: 10000 });
  await page.keyboard.press('Enter');
}

try {
  await page.goto(`http://127.0.0.1:${PORT}/?folder=${encodeURIComponent(WS)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
  check(true, 'workbench loaded');

  // Open spam.c from the Explorer (Quick Open as the fallback: its file search can be slow on a busy machine).
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'spam.c' }).first();
  if (await row.waitFor({ timeout: 20000 }).then(() => true, () => false)) {
    await row.click();
  } else {
    console.log('INFO spam.c not in the Explorer; using Quick Open');
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type('spam.c');
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 30000 });
    await page.keyboard.press('Enter');
  }
  await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-lines')]
    .some((e) => e.textContent.includes('PyTuple_GET_ITEM')), null, { timeout: 20000 });
  check(true, 'spam.c opened');

  // 1. Squiggles under both PyTuple_GET_ITEM uses.
  const tSq = Date.now();
  const gotSquiggles = await page.waitForFunction(() => document.querySelectorAll(
    '.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').length >= 2, null, { timeout: 30000 })
    .then(() => true, () => false);
  if (!check(gotSquiggles, `squiggles rendered (${await squiggleCount()}) after ${Date.now() - tSq} ms`)) {
    const items = (await statusItems()).filter((i) => i.id.includes('abi3ls'));
    throw new Error(`no diagnostics from the server; abi3ls status item: ${JSON.stringify(items)}`);
  }

  // 2. Problems panel: ABI001 entries for PyTuple_GET_ITEM.
  await page.keyboard.press('Control+Shift+M');
  const problemsOk = await page.waitForFunction(() => {
    const p = document.querySelector('.markers-panel');
    return p && p.textContent.includes('ABI001') && p.textContent.includes('PyTuple_GET_ITEM');
  }, null, { timeout: 15000 }).then(() => true, () => false);
  const rows = (await page.locator('.markers-panel .monaco-list-row').allTextContents()).map(norm);
  check(problemsOk && rows.filter((r) => r.includes('ABI001')).length >= 2,
    `Problems panel has 2 ABI001 rows: ${JSON.stringify(rows)}`);

  // 3. Status bar: the file's target.
  const statusOk = await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')]
    .some((e) => e.textContent.replace(/\u00a0/g, ' ').includes('abi3 3.10+')), null, { timeout: 15000 })
    .then(() => true, () => false);
  const abiItems = (await statusItems()).filter((i) => /abi3|audit/.test(i.text) || i.id.includes('abi3ls'));
  check(statusOk, `status bar shows "abi3 3.10+": ${JSON.stringify(abiItems)}`);

  // 3b. A settings change applies without a reload: ABI001 as a warning through the workspace
  // settings file, then back to an error.
  const squiggles = (kind) => page.evaluate((k) => document.querySelectorAll(`.monaco-editor .squiggly-${k}`).length, kind);
  mkdirSync(`${WS}/.vscode`, { recursive: true });
  writeFileSync(`${WS}/.vscode/settings.json`, JSON.stringify({ 'abi3ls.severity': { ABI001: 'warning' } }));
  const toWarning = await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-warning').length >= 2
    && document.querySelectorAll('.monaco-editor .squiggly-error').length === 0, null, { timeout: 15000 }).then(() => true, () => false);
  check(toWarning, `"abi3ls.severity": {"ABI001": "warning"} turns both squiggles into warnings without a reload (warnings ${await squiggles('warning')}, errors ${await squiggles('error')})`);
  writeFileSync(`${WS}/.vscode/settings.json`, '{}');
  const toError = await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-error').length >= 2,
    null, { timeout: 15000 }).then(() => true, () => false);
  check(toError, `removing the setting makes them errors again (errors ${await squiggles('error')})`);

  // 4. Hover over the first squiggle: the diagnostic and the server's hover, naming PyTuple_GetItem.
  const sq = page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first();
  const box = await sq.boundingBox();
  if (!box) throw new Error('no squiggle to hover');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // The diagnostic part shows ABI001; the server's hover (a markdown part) must name the alternative.
  const hoverOk = await page.waitForFunction(() => [...document.querySelectorAll('.monaco-hover')]
    .some((e) => e.textContent.includes('ABI001') && [...e.querySelectorAll('.markdown-hover')]
      .some((m) => m.textContent.includes('PyTuple_GetItem'))), null, { timeout: 15000 })
    .then(() => true, () => false);
  const diagHover = norm((await page.locator('.monaco-hover').allTextContents()).join(' | '));
  const serverHover = norm((await page.locator('.monaco-hover .markdown-hover').allTextContents()).join(' | '));
  check(hoverOk, `hover: ${JSON.stringify(diagHover.slice(0, 200))}; server hover names PyTuple_GetItem: ${JSON.stringify(serverHover.slice(0, 300))}`);
  await shot('1-hover');

  // 5. Quick Fix on the first use (Ctrl+.; the mouse must leave the word or the hover swallows the key).
  await page.keyboard.press('Escape');
  await page.mouse.click(box.x + 3, box.y + box.height / 2);
  await page.mouse.move(1300, 880);
  await page.waitForTimeout(300);
  await page.keyboard.press('Escape');
  const menuShown = () => page.waitForFunction(() => [...document.querySelectorAll('.action-widget, .context-view')]
    .some((e) => e.textContent.includes('PyTuple_GetItem')), null, { timeout: 7000 }).then(() => true, () => false);
  await page.keyboard.press('Control+.');
  let menu = await menuShown();
  if (!menu) {
    console.log('INFO Ctrl+. did not open the menu; using the command palette');
    await page.keyboard.press('Escape');
    await runCommand('Quick Fix');
    menu = await menuShown();
  }
  const menuText = norm(await page.locator('.action-widget .monaco-list-row').allTextContents().then((a) => a.join(' | ')).catch(() => ''));
  check(menu, `Quick Fix menu offers PyTuple_GetItem: ${JSON.stringify(menuText.slice(0, 300))}`);
  if (!menu) throw new Error('no quick fix menu');
  await shot('2-quickfix-menu');
  // Pick the entry that mentions PyTuple_GetItem (the preferred one is usually first).
  const entry = page.locator('.action-widget .monaco-list-row', { hasText: 'PyTuple_GetItem' }).first();
  if (await entry.count()) await entry.click(); else await page.keyboard.press('Enter');
  const applied = await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('.monaco-editor .view-lines')].map((e) => e.textContent).join('\n').replace(/\u00a0/g, ' ');
    return t.includes('PyTuple_GetItem(args, 0)');
  }, null, { timeout: 15000 }).then(() => true, () => false);
  check(applied, 'Quick Fix rewrote PyTuple_GET_ITEM(args, 0) as PyTuple_GetItem(args, 0)');
  const oneLeft = await page.waitForFunction(() => {
    const p = document.querySelector('.markers-panel');
    const rows = p ? [...p.querySelectorAll('.monaco-list-row')].filter((r) => r.textContent.includes('ABI001')) : [];
    return rows.length === 1;
  }, null, { timeout: 15000 }).then(() => true, () => false);
  const rows2 = (await page.locator('.markers-panel .monaco-list-row').allTextContents()).map(norm);
  check(oneLeft, `one ABI001 problem left after the Quick Fix: ${JSON.stringify(rows2)}`);

  // 6. abi3ls: Fix All in File (the extension's command, source.fixAll.abi3ls) fixes the other one.
  await page.mouse.click(box.x + 3, box.y + box.height / 2); // focus the editor
  await runCommand('abi3ls: Fix All in File');
  const allFixed = await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('.monaco-editor .view-lines')].map((e) => e.textContent).join('\n').replace(/\u00a0/g, ' ');
    return t.includes('PyTuple_GetItem(args, 1)') && !t.includes('PyTuple_GET_ITEM');
  }, null, { timeout: 15000 }).then(() => true, () => false);
  check(allFixed, 'Fix All in File rewrote the second use');
  const noSquiggles = await page.waitForFunction(() => document.querySelectorAll(
    '.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').length === 0, null, { timeout: 15000 })
    .then(() => true, () => false);
  const problemsGone = await page.waitForFunction(() => {
    const p = document.querySelector('.markers-panel');
    return p && !p.textContent.includes('ABI001');
  }, null, { timeout: 15000 }).then(() => true, () => false);
  check(noSquiggles && problemsGone, `no squiggle and no ABI001 problem left (squiggles: ${await squiggleCount()})`);
  await page.keyboard.press('Control+S');
  await page.waitForTimeout(800);
  await shot('3-after-fix');

  // 7. "Show Minimum Target" (what clicking the status bar item runs) answers with the target.
  const item = page.locator('.statusbar-item', { hasText: 'abi3 3.10+' }).first();
  if (await item.count()) {
    await item.click();
    const note = await page.waitForFunction(() => [...document.querySelectorAll('.notification-toast, .notifications-toasts')]
      .map((e) => e.textContent).join(' ').includes('3.10'), null, { timeout: 10000 }).then(() => true, () => false);
    const toast = norm(await page.locator('.notification-toast .notification-list-item-message').allTextContents().then((a) => a.join(' | ')).catch(() => ''));
    check(note, `clicking the status bar item shows the target: ${JSON.stringify(toast.slice(0, 300))}`);
  } else {
    check(false, 'status bar item to click');
  }
} catch (e) {
  check(false, `exception: ${String(e.message).split('\n')[0]}`);
} finally {
  if (failed) await shot('failure').catch(() => {});
  await ctx.close().catch(() => {});
}
console.log(`screenshots: ${shots.join(' ')}`);
process.exit(failed ? 1 : 0);
