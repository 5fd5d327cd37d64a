-- reviewlens language server for Neovim 0.11+.
--
-- Put this file on your 'runtimepath' as lsp/reviewlens.lua (for example
-- ~/.config/nvim/lsp/reviewlens.lua) and enable it from init.lua:
--
--   vim.lsp.enable('reviewlens')
--
-- Override any field without copying the file:
--
--   vim.lsp.config('reviewlens', {
--     cmd = { '/path/to/venv/bin/reviewlens', 'serve' },
--     init_options = { settings = { ignore = { 'RL101' } } },
--   })

---@type vim.lsp.Config
return {
  cmd = { 'reviewlens', 'serve' },
  filetypes = { 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact' },
  root_markers = { 'reviewlens.toml', 'pyproject.toml', 'package.json', '.git' },
  -- The same settings as the VS Code extension: `select` (replaces the project
  -- configuration's selection; leave it out to keep the project's), `extendSelect`,
  -- `ignore`, `severity` (rule code -> "error" | "warning" | "info" | "hint") and
  -- `debounce` (milliseconds after the last change).
  init_options = {
    settings = {
      enable = true,
      ignore = {},
      severity = vim.empty_dict(),
      debounce = 150,
    },
  },
  on_attach = function(_, bufnr)
    -- :ReviewlensFixAll applies every safe reviewlens fix in the buffer
    -- (the server's `source.fixAll.reviewlens` action; no other server offers that kind).
    vim.api.nvim_buf_create_user_command(bufnr, 'ReviewlensFixAll', function()
      vim.lsp.buf.code_action({
        context = { only = { 'source.fixAll.reviewlens' }, diagnostics = {} },
        apply = true,
      })
    end, { desc = 'reviewlens: apply all safe fixes' })
  end,
}
