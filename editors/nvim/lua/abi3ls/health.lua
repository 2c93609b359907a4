-- :checkhealth abi3ls
local M = {}

-- vim.health (0.9+: start/ok/...; 0.8: report_*) or the 0.7 'health' module.
local h = vim.health or require('health')
local start = h.start or h.report_start
local ok = h.ok or h.report_ok
local err = h.error or h.report_error
local info = h.info or h.report_info

function M.check()
  start('abi3ls')
  local v = vim.version and vim.version() or {}
  local nv = string.format('%s.%s.%s', v.major or '?', v.minor or '?', v.patch or '?')
  if vim.fn.has('nvim-0.7') == 1 then
    ok('Neovim ' .. nv .. ' (0.7 or newer is supported)')
  else
    err('Neovim ' .. nv .. ' is too old: abi3ls needs 0.7 or newer')
  end

  local cfg = require('abi3ls').config
  local exe = cfg.cmd and cfg.cmd[1] or 'abi3ls'
  if vim.fn.executable(exe) ~= 1 then
    err('abi3ls binary not found: ' .. exe, {
      'Install it: go install github.com/abi3ls/abi3ls/cmd/abi3ls@latest (and put $(go env GOPATH)/bin on PATH)',
      "Or give its path: require('abi3ls').setup({ cmd = { '/path/to/abi3ls', 'serve' } })",
    })
  else
    local path = vim.fn.exepath(exe)
    local out = vim.fn.system({ exe, 'version' })
    if vim.v.shell_error == 0 then
      ok(string.format('abi3ls found: %s (%s)', path ~= '' and path or exe, vim.trim(out)))
    else
      err(string.format('%s version failed (exit %d): %s', exe, vim.v.shell_error, vim.trim(out)))
    end
  end

  local clients = require('abi3ls').clients()
  if #clients == 0 then
    info('no abi3ls client running (open a C or C++ file after setup() or vim.lsp.enable("abi3ls"))')
  end
  for _, c in ipairs(clients) do
    local si = c.server_info or {}
    ok(string.format('client %d running: %s %s, root %s', c.id, si.name or 'abi3ls', si.version or '',
      c.config.root_dir or '?'))
  end
  if vim.fn.has('nvim-0.11') == 0 and vim.fn.has('nvim-0.8') == 1 then
    info("lsp/abi3ls.lua (vim.lsp.enable) needs Neovim 0.11; use require('abi3ls').setup() here")
  end
end

return M
