-- Headless Neovim driver for tests/editors/test_neovim.py.
--
--   nvim --headless --clean -u tests/editors/nvim_quickfix.lua
--
-- Uses the shipped editors/nvim/lsp/reviewlens.lua unchanged (through 'runtimepath' and
-- vim.lsp.enable), opens RL_FILE, waits for reviewlens diagnostics, applies the quick fix
-- whose title starts with RL_FIX_TITLE through vim.lsp.buf.code_action, writes the buffer
-- and waits for the fixed diagnostic to disappear. Writes what it saw as JSON to
-- RL_RESULT and exits non-zero on any failure. With RL_MODE=fixall it runs
-- :ReviewlensFixAll instead of a quick fix at the cursor.
local env = vim.env
local file = assert(env.RL_FILE, 'RL_FILE is not set')
local result_path = assert(env.RL_RESULT, 'RL_RESULT is not set')
local nvim_dir = assert(env.RL_NVIM_DIR, 'RL_NVIM_DIR is not set')
local fix_title = env.RL_FIX_TITLE or 'Replace with `logger.debug'
local code = env.RL_CODE or 'RL101'
local timeout = tonumber(env.RL_TIMEOUT_MS or '30000')

vim.opt.runtimepath:prepend(nvim_dir)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
vim.cmd('filetype on')

local result = { ok = false, steps = {}, timings_ms = {} }
local t0 = vim.uv.hrtime()

local function elapsed()
  return math.floor((vim.uv.hrtime() - t0) / 1e6)
end

local function step(name)
  result.steps[#result.steps + 1] = name
  result.timings_ms[name] = elapsed()
end

local function finish(ok, err)
  result.ok = ok
  result.error = err
  result.messages = vim.api.nvim_exec2('messages', { output = true }).output
  result.lsp_log = vim.lsp.get_log_path()
  local fh = assert(io.open(result_path, 'w'))
  fh:write(vim.json.encode(result))
  fh:close()
  if ok then
    vim.cmd('qall!')
  else
    io.stderr:write('nvim_quickfix.lua: ' .. tostring(err) .. '\n')
    vim.cmd('cquit 1')
  end
end

local current_client ---@type vim.lsp.Client?

local function wait_for(what, predicate)
  local died = false
  local done = vim.wait(timeout, function()
    if current_client and current_client:is_stopped() then
      died = true
      return true
    end
    return predicate()
  end, 20)
  if died then
    error(('the reviewlens server exited while waiting for %s (see %s)'):format(what, vim.lsp.get_log_path()), 0)
  end
  if not done then
    error(('timed out after %d ms waiting for %s'):format(timeout, what), 0)
  end
end

local function reviewlens_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'reviewlens' and d.code == code then
      out[#out + 1] = d
    end
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return out
end

local function main()
  vim.lsp.enable('reviewlens')
  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  step('opened')

  local client
  wait_for('the reviewlens client to attach', function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'reviewlens' })[1]
    return client ~= nil and client.initialized
  end)
  current_client = client
  result.server_info = client.server_info
  result.offset_encoding = client.offset_encoding
  step('attached')

  wait_for(code .. ' diagnostics', function()
    return #reviewlens_diagnostics(bufnr) > 0
  end)
  local before = reviewlens_diagnostics(bufnr)
  result.diagnostics_before = vim.tbl_map(function(d)
    return { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity }
  end, before)
  step('diagnostics')

  if env.RL_MODE == 'fixall' then
    -- :ReviewlensFixAll, defined by the shipped config's on_attach: the server's
    -- source.fixAll.reviewlens action (resolved through codeAction/resolve), safe fixes only.
    local tick = vim.b[bufnr].changedtick
    vim.cmd('ReviewlensFixAll')
    wait_for('fix-all to change the buffer', function()
      return vim.b[bufnr].changedtick ~= tick
    end)
    step('applied fix-all')
    vim.cmd.write()
    step('written')
    wait_for('the fixed diagnostics to disappear', function()
      return #reviewlens_diagnostics(bufnr) == 0
    end)
    result.diagnostics_after = 0
    step('diagnostics updated')
    return
  end

  -- The quick fix menu a user sees at the first diagnostic, in the server's order.
  local target = before[1]
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = {
    diagnostics = vim.lsp.diagnostic.from(vim.diagnostic.get(bufnr, { lnum = target.lnum })),
    triggerKind = 1,
  }
  local response = client:request_sync('textDocument/codeAction', params, timeout, bufnr)
  if not response or response.err then
    error('textDocument/codeAction failed: ' .. vim.inspect(response), 0)
  end
  result.actions = vim.tbl_map(function(a)
    return { title = a.title, kind = a.kind, isPreferred = a.isPreferred }
  end, response.result or {})
  step('listed actions')

  -- Apply the rule's fix the way a user does: vim.lsp.buf.code_action at the cursor.
  local tick = vim.b[bufnr].changedtick
  local applied_title
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      local hit = action.kind == 'quickfix' and vim.startswith(action.title, fix_title)
      if hit then
        applied_title = action.title
      end
      return hit
    end,
  })
  wait_for('the quick fix to change the buffer', function()
    return vim.b[bufnr].changedtick ~= tick
  end)
  result.applied = applied_title
  step('applied fix')

  vim.cmd.write()
  step('written')

  -- The server re-checks the new text: the fixed diagnostic must go away.
  wait_for('the fixed diagnostic to disappear', function()
    return #reviewlens_diagnostics(bufnr) == #before - 1
  end)
  result.diagnostics_after = #reviewlens_diagnostics(bufnr)
  step('diagnostics updated')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = xpcall(main, debug.traceback)
      finish(ok, not ok and err or nil)
    end)
  end,
})
