-- abi3ls for Neovim (0.7+): starts `abi3ls serve` for C and C++ buffers.
--
--   require('abi3ls').setup({
--     cmd = { 'abi3ls', 'serve' },          -- default
--     settings = { target = '3.10', audit = 'hint', severity = { ABI009 = 'off' } },
--     on_attach = function(client, bufnr) end,
--   })
--
-- `settings` are the server's settings (target, abi3t, audit, severity, select,
-- ignore, includeDirs, exclude). They are sent as initializationOptions and,
-- under "abi3ls", with workspace/didChangeConfiguration. Neovim 0.11+ users may
-- instead use `vim.lsp.enable('abi3ls')` with the config in lsp/abi3ls.lua.
local M = {}

M.filetypes = { 'c', 'cpp' }
M.root_markers = {
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'meson.build',
  'CMakeLists.txt',
  'compile_commands.json',
  '.git',
}
M.fix_all_kind = 'source.fixAll.abi3ls'

local defaults = {
  cmd = { 'abi3ls', 'serve' },
  filetypes = M.filetypes,
  root_markers = M.root_markers,
  settings = {},
  autostart = true,
  on_attach = nil,
  capabilities = nil,
  flags = nil,
}

--- The configuration in force: the defaults until setup() is called.
M.config = vim.deepcopy(defaults)

local has_011 = vim.fn.has('nvim-0.11') == 1

-- Client methods are called with ':' from 0.11 on, with '.' before.
local function request_sync(client, method, params, timeout, bufnr)
  if has_011 then
    return client:request_sync(method, params, timeout, bufnr)
  end
  return client.request_sync(method, params, timeout, bufnr)
end

local function notify_client(client, method, params)
  if has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

local function is_empty(t)
  return t == nil or next(t) == nil
end

--- settings table -> { init_options, settings } for the client config.
local function server_settings(settings)
  if is_empty(settings) then
    return nil, vim.empty_dict()
  end
  return settings, { abi3ls = settings }
end

--- The project root of bufnr: the nearest directory holding a root marker.
function M.find_root(bufnr, markers)
  markers = markers or M.config.root_markers
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' then
    return vim.fn.getcwd()
  end
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  while true do
    for _, m in ipairs(markers) do
      local p = dir .. '/' .. m
      if vim.fn.filereadable(p) == 1 or vim.fn.isdirectory(p) == 1 then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return vim.fn.fnamemodify(fname, ':p:h')
end

--- The client configuration for bufnr (for vim.lsp.start / vim.lsp.start_client).
function M.client_config(bufnr)
  local c = M.config
  local init_options, settings = server_settings(c.settings)
  return {
    name = 'abi3ls',
    cmd = c.cmd,
    root_dir = M.find_root(bufnr, c.root_markers),
    init_options = init_options,
    settings = settings,
    capabilities = c.capabilities,
    flags = c.flags,
    on_attach = c.on_attach,
    on_init = function(client)
      -- Neovim 0.7 leaves didChangeConfiguration to the client config.
      if not is_empty(c.settings) then
        notify_client(client, 'workspace/didChangeConfiguration', { settings = { abi3ls = c.settings } })
      end
      return true
    end,
  }
end

-- Neovim 0.7 has no vim.lsp.start: one client per root directory.
local legacy_clients = {}

--- Starts (or reuses) the abi3ls client for bufnr and attaches it. Returns the client id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local cfg = M.client_config(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(cfg, { bufnr = bufnr })
  end
  local id = legacy_clients[cfg.root_dir]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(cfg)
    if not id then
      vim.notify('abi3ls: could not start ' .. table.concat(cfg.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    legacy_clients[cfg.root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Configures the plugin and, unless autostart = false, starts abi3ls for every C/C++ buffer.
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if not M.config.autostart then
    return
  end
  local group = vim.api.nvim_create_augroup('abi3ls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == '' then
        M.attach(args.buf)
      end
    end,
  })
  -- Buffers opened before setup() ran.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
      M.attach(b)
    end
  end
end

--- The abi3ls clients (all, or those attached to bufnr).
function M.clients(bufnr)
  local out = {}
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = 'abi3ls', bufnr = bufnr })
  end
  local list = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
  for _, c in pairs(list) do
    if c.name == 'abi3ls' then
      table.insert(out, c)
    end
  end
  return out
end

--- Sends new server settings to the running clients (and uses them for new ones).
function M.set_settings(settings)
  M.config.settings = settings or {}
  for _, c in ipairs(M.clients()) do
    c.config.settings = { abi3ls = M.config.settings }
    notify_client(c, 'workspace/didChangeConfiguration', { settings = { abi3ls = M.config.settings } })
  end
end

local function buf_client(bufnr)
  local c = M.clients(bufnr)[1]
  if not c then
    vim.notify('abi3ls: no abi3ls client attached to this buffer', vim.log.levels.WARN)
  end
  return c
end

local function apply_action(client, action, bufnr)
  if action.edit == nil and action.command == nil and action.data ~= nil then
    local resp = request_sync(client, 'codeAction/resolve', action, 3000, bufnr)
    if resp and resp.result then
      action = resp.result
    end
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local cmd = action.command
  if type(cmd) == 'table' then
    request_sync(client, 'workspace/executeCommand', cmd, 5000, bufnr)
  elseif type(cmd) == 'string' then -- the action is a Command
    request_sync(client, 'workspace/executeCommand', { command = cmd, arguments = action.arguments }, 5000, bufnr)
  end
end

--- Applies every safe fix in bufnr (the server's source.fixAll.abi3ls action).
--- Returns the number of actions applied.
function M.fix_all(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = buf_client(bufnr)
  if not client then
    return 0
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = 0, character = 0 },
      ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 },
    },
    context = { only = { M.fix_all_kind }, diagnostics = {} },
  }
  local resp, err = request_sync(client, 'textDocument/codeAction', params, 5000, bufnr)
  if err or not resp or resp.err then
    vim.notify('abi3ls: fix all failed: ' .. tostring(err or (resp and resp.err and resp.err.message)), vim.log.levels.ERROR)
    return 0
  end
  local n = 0
  for _, action in ipairs(resp.result or {}) do
    local kind = action.kind or ''
    if kind == M.fix_all_kind or kind:sub(1, #M.fix_all_kind + 1) == M.fix_all_kind .. '.' then
      apply_action(client, action, bufnr)
      n = n + 1
    end
  end
  if n == 0 then
    vim.notify('abi3ls: nothing to fix automatically', vim.log.levels.INFO)
  end
  return n
end

-- An LSP Location as "file:line".
local function where(loc)
  if type(loc) ~= 'table' or type(loc.uri) ~= 'string' then
    return ''
  end
  local file = vim.fn.fnamemodify(vim.uri_to_fname(loc.uri), ':t')
  if loc.range and loc.range.start then
    return file .. ':' .. (loc.range.start.line + 1)
  end
  return file
end

local function str(v)
  if type(v) == 'string' or type(v) == 'number' then
    return tostring(v)
  end
  return ''
end

local source_words = {
  config = 'the target setting',
  define = 'a #define in the file',
  header = 'a #define in a local header',
  compileFlags = 'the compile flags',
  buildFile = 'a build file',
}

--- Normalises the abi3ls/fileStatus answer (server/features.go FileStatus:
--- target "abi3 3.10+" | "abi3t 3.15+" | "audit", source, declaration, location,
--- minVersion, minSymbol, minLocation, blockers, findings, analyzed, reason).
function M.parse_status(r)
  if type(r) ~= 'table' then
    return nil
  end
  local label = str(r.target)
  if label == '' then
    label = 'audit'
  end
  local mode = label:match('^abi3t') and 'abi3t' or (label:match('^abi3') and 'abi3' or 'audit')
  local source = ''
  if mode ~= 'audit' then
    source = str(r.declaration)
    if source == '' then
      source = source_words[str(r.source)] or str(r.source)
    end
    local at = where(r.location)
    if at ~= '' then
      source = source .. ' (' .. at .. ')'
    end
  end
  return {
    mode = mode,
    label = label,
    source = source,
    minimum = str(r.minVersion),
    pinned_by = str(r.minSymbol),
    pinned_at = where(r.minLocation),
    blockers = tonumber(r.blockers) or 0,
    findings = tonumber(r.findings) or 0,
    not_analyzed = r.analyzed == false and (str(r.reason) ~= '' and str(r.reason) or 'not analyzed') or '',
  }
end

--- One-line description of a parsed status.
function M.describe(s)
  local parts = {}
  if s.not_analyzed ~= '' then
    table.insert(parts, 'not analyzed: ' .. s.not_analyzed)
  end
  if s.mode == 'audit' then
    table.insert(parts, 'audit (no Limited API target declared)')
  else
    table.insert(parts, s.label .. (s.source ~= '' and ', declared by ' .. s.source or ''))
  end
  if s.minimum ~= '' then
    table.insert(parts, 'needs at least ' .. s.minimum .. (s.pinned_by ~= '' and (' (' .. s.pinned_by
      .. (s.pinned_at ~= '' and ' at ' .. s.pinned_at or '') .. ')') or ''))
  end
  if s.blockers > 0 then
    table.insert(parts, s.blockers .. ' API name(s) that no Limited API version has')
  end
  table.insert(parts, s.findings .. ' finding(s)')
  return table.concat(parts, '; ')
end

--- Asks the server for bufnr's target and minimum version; returns the parsed status (or nil, error).
function M.file_status(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = buf_client(bufnr)
  if not client then
    return nil, 'no client'
  end
  local resp, err = request_sync(client, 'abi3ls/fileStatus', { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }, 5000, bufnr)
  if err or not resp or resp.err then
    return nil, tostring(err or (resp and resp.err and resp.err.message) or 'no answer')
  end
  return M.parse_status(resp.result)
end

--- :Abi3lsTarget -- echoes the target and minimum version of bufnr; returns the message.
function M.show_target(bufnr)
  local s, err = M.file_status(bufnr)
  local msg
  if s then
    msg = 'abi3ls: ' .. M.describe(s)
    vim.api.nvim_echo({ { msg } }, true, {})
  else
    msg = 'abi3ls: ' .. tostring(err)
    vim.notify(msg, vim.log.levels.ERROR)
  end
  return msg
end

return M
