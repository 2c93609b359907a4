-- abi3ls configuration for Neovim 0.11+:  vim.lsp.enable('abi3ls')
-- Override with vim.lsp.config('abi3ls', { settings = { abi3ls = { target = '3.10' } } }).
-- The "abi3ls" settings are also sent as initializationOptions.
---@type vim.lsp.Config
return {
  cmd = { 'abi3ls', 'serve' },
  filetypes = { 'c', 'cpp' },
  root_markers = {
    'pyproject.toml',
    'setup.py',
    'setup.cfg',
    'meson.build',
    'CMakeLists.txt',
    'compile_commands.json',
    '.git',
  },
  before_init = function(params, config)
    local s = config.settings and config.settings.abi3ls
    if params.initializationOptions == nil and s ~= nil and next(s) ~= nil then
      params.initializationOptions = s
    end
  end,
}
