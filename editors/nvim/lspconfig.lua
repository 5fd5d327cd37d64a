-- reviewlens for nvim-lspconfig users (the `require('lspconfig')` setup style).
-- On Neovim 0.11+ prefer lsp/reviewlens.lua with vim.lsp.enable('reviewlens') (see README.md).
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.reviewlens then
  configs.reviewlens = {
    default_config = {
      cmd = { 'reviewlens', 'serve' },
      filetypes = { 'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact' },
      root_dir = util.root_pattern('reviewlens.toml', 'pyproject.toml', 'package.json', '.git'),
      single_file_support = true,
      init_options = {
        settings = { enable = true, ignore = {}, severity = vim.empty_dict(), debounce = 150 },
      },
    },
    docs = {
      description = 'reviewlens: production-readiness hints for FastAPI and Next.js/TypeScript code.',
    },
  }
end

require('lspconfig').reviewlens.setup({})
