-- abi3ls user commands. Loaded automatically from 'runtimepath'; starting the
-- server is left to require('abi3ls').setup() or vim.lsp.enable('abi3ls').
if vim.g.loaded_abi3ls then
  return
end
vim.g.loaded_abi3ls = true

vim.api.nvim_create_user_command('Abi3lsFixAll', function()
  require('abi3ls').fix_all(0)
end, { desc = 'abi3ls: apply every safe fix in the buffer (source.fixAll.abi3ls)' })

vim.api.nvim_create_user_command('Abi3lsTarget', function()
  require('abi3ls').show_target(0)
end, { desc = "abi3ls: show the buffer's Limited API target and the minimum version it needs" })
