-- Headless Neovim test of editors/nvim against abi3ls. Run by tests/editor-nvim.sh:
--   SERVER=... PLUGIN=<repo>/editors/nvim CFILE=<ws>/spam.c RESULT=out.txt \
--     nvim --headless -n -i NONE -u nvim-test.lua
-- Exit 0 = every check passed. A watchdog makes a hung run fail.
local SERVER = assert(os.getenv('SERVER'), 'SERVER env')
local PLUGIN = assert(os.getenv('PLUGIN'), 'PLUGIN env')
local CFILE = assert(os.getenv('CFILE'), 'CFILE env')
local RESULT = assert(os.getenv('RESULT'), 'RESULT env')
local DIAG_WAIT = tonumber(os.getenv('DIAG_WAIT') or '15000')

local out, failed = {}, false
local t0 = vim.loop.hrtime()
local function log(fmt, ...)
  local line = string.format(fmt, ...)
  table.insert(out, line)
  io.stdout:write(line .. '\n')
end
local function check(cond, what)
  log('%s %s [+%d ms]', cond and 'PASS' or 'FAIL', what, (vim.loop.hrtime() - t0) / 1e6)
  if not cond then
    failed = true
  end
  return cond
end
local function finish()
  vim.fn.writefile(out, RESULT)
  vim.cmd(failed and 'cquit 1' or 'qall!')
end
vim.defer_fn(function()
  log('FAIL watchdog: the test did not finish in 60 s')
  failed = true
  finish()
end, 60000)

local function lines(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end
local function abi_diags(bufnr)
  local res = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == 'ABI001' then
      table.insert(res, d)
    end
  end
  return res
end
local function find(bufnr, pat)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local c = l:find(pat, 1, true)
    if c then
      return i, c - 1
    end
  end
end

local function main()
  log('INFO %s', vim.fn.execute('version'):match('NVIM v[%w.%-]+') or '?')
  vim.opt.runtimepath:prepend(PLUGIN)
  vim.cmd('runtime plugin/abi3ls.lua')
  vim.cmd('filetype on') -- with -u FILE, filetype detection starts after the init file
  local abi3ls = require('abi3ls')
  abi3ls.setup({
    cmd = { SERVER, 'serve' },
    settings = { audit = 'hint', severity = { ABI001 = 'warning' } }, -- checked below
    flags = { debounce_text_changes = 0 },
  })

  -- The lsp/abi3ls.lua config (vim.lsp.enable, 0.11+) loads and has the expected shape.
  local lspcfg = dofile(PLUGIN .. '/lsp/abi3ls.lua')
  check(lspcfg.cmd[1] == 'abi3ls' and lspcfg.cmd[2] == 'serve' and vim.tbl_contains(lspcfg.filetypes, 'cpp')
    and vim.tbl_contains(lspcfg.root_markers, 'pyproject.toml'), 'lsp/abi3ls.lua: cmd, filetypes, root_markers')

  vim.cmd('edit ' .. vim.fn.fnameescape(CFILE))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo[bufnr].filetype == 'c', 'filetype c')
  local attached = vim.wait(5000, function() return #abi3ls.clients(bufnr) > 0 end, 10)
  check(attached, 'abi3ls client attached through setup()')
  local client = abi3ls.clients(bufnr)[1]
  check(client and client.config.root_dir == vim.fn.fnamemodify(CFILE, ':h'), 'root_dir is the fixture folder: '
    .. tostring(client and client.config.root_dir))

  -- 1. Diagnostics: ABI001 on both PyTuple_GET_ITEM uses.
  local got = vim.wait(DIAG_WAIT, function() return #abi_diags(bufnr) >= 2 end, 20)
  local desc = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(desc, string.format('%d:%d %s %s', d.lnum + 1, d.col + 1,
      tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)), d.message))
  end
  if not check(got, 'two ABI001 diagnostics: ' .. table.concat(desc, ' | ')) then
    return finish() -- nothing else can pass
  end
  local l1 = find(bufnr, 'PyTuple_GET_ITEM(args, 0)')
  local d1 = abi_diags(bufnr)[1]
  check(d1.lnum + 1 == l1 and d1.severity == vim.diagnostic.severity.WARN,
    string.format('first ABI001 on line %d is a warning, as set in setup({settings}) (got line %d, severity %d)',
      l1, d1.lnum + 1, d1.severity))
  -- Settings changed at run time reach the server (didChangeConfiguration + workspace/configuration).
  abi3ls.set_settings({ severity = { ABI001 = 'error' } })
  check(vim.wait(5000, function()
    local ds = abi_diags(bufnr)
    return #ds == 2 and ds[1].severity == vim.diagnostic.severity.ERROR
  end, 20), 'set_settings: ABI001 republished as an error')

  -- 2. Hover on the first use names the Limited API alternative.
  local row, col = find(bufnr, 'PyTuple_GET_ITEM(args, 0)')
  vim.api.nvim_win_set_cursor(0, { row, col + 3 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local resp = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000)
  local hover = resp and resp[client.id] and resp[client.id].result
  local value = hover and hover.contents and (hover.contents.value or hover.contents) or ''
  if type(value) ~= 'string' then
    value = vim.inspect(value)
  end
  check(value:find('PyTuple_GetItem', 1, true) ~= nil, 'hover names PyTuple_GetItem: ' .. value:gsub('\n', ' '):sub(1, 300))

  -- 3. Quick fix through the real code-action path (vim.ui.select picks the PyTuple_GetItem fix).
  local offered = {}
  vim.ui.select = function(items, opts, on_choice)
    local pick
    for i, it in ipairs(items) do
      local a = it.action or it[2] or it -- 0.7: {client_id, action}; 0.10+: {action=, ctx=}
      table.insert(offered, a.title)
      if not pick and a.title:find('PyTuple_GetItem', 1, true) then
        pick = i
      end
    end
    on_choice(pick and items[pick] or nil, pick)
  end
  vim.lsp.buf.code_action({ context = { only = { 'quickfix' } } })
  local applied = vim.wait(5000, function()
    return lines(bufnr):find('PyTuple_GetItem(args, 0)', 1, true) ~= nil
  end, 20)
  check(applied, 'quick fix applied (offered: ' .. table.concat(offered, '; ') .. ')')
  check(lines(bufnr):find('PyTuple_GET_ITEM(args, 1)', 1, true) ~= nil, 'the other use is untouched')
  check(vim.wait(5000, function() return #abi_diags(bufnr) == 1 end, 20),
    'one ABI001 diagnostic left after the quick fix (' .. #abi_diags(bufnr) .. ')')

  -- 4. :Abi3lsFixAll fixes the rest.
  vim.cmd('Abi3lsFixAll')
  check(lines(bufnr):find('PyTuple_GET_ITEM', 1, true) == nil
    and lines(bufnr):find('PyTuple_GetItem(args, 1)', 1, true) ~= nil, ':Abi3lsFixAll rewrote the second use')
  check(vim.wait(5000, function() return #abi_diags(bufnr) == 0 end, 20), 'no ABI001 diagnostic left')
  vim.cmd('silent write')

  -- 5. :Abi3lsTarget shows the declared target.
  local msg = vim.fn.execute('Abi3lsTarget')
  check(msg:find('abi3 3.10+', 1, true) ~= nil, ':Abi3lsTarget: ' .. vim.trim(msg))

  -- 6. :checkhealth abi3ls finds the binary and its version.
  vim.cmd('checkhealth abi3ls')
  local health = lines(vim.api.nvim_get_current_buf())
  check(health:find('abi3ls found', 1, true) ~= nil and health:find('abi3ls%s+[%w.%-]+%)') ~= nil
    and health:find('ERROR', 1, true) == nil, ':checkhealth abi3ls: ' .. health:gsub('\n', ' | '):sub(1, 400))
  vim.cmd('tabclose')

  -- 7. Clean shutdown.
  local id = client.id
  if vim.fn.has('nvim-0.11') == 1 then client:stop() else vim.lsp.stop_client(id) end
  check(vim.wait(5000, function()
    local c = vim.lsp.get_client_by_id(id)
    return c == nil or (vim.fn.has('nvim-0.11') == 1 and c:is_stopped() or (c.is_stopped and c.is_stopped()))
  end, 20), 'client stopped')
  finish()
end

vim.schedule(function()
  local ok, err = xpcall(main, debug.traceback)
  if not ok then
    log('FAIL lua error: %s', err)
    failed = true
    finish()
  end
end)
