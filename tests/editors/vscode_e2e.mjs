// Drives the real VS Code workbench (served by code-server) in headless Chromium through
// playwright-core, for tests/editors/test_vscode.py.
//
// Environment (all set by the pytest test):
//   RL_URL          workbench URL with ?folder=<workspace>
//   RL_WORKSPACE    the workspace folder on disk
//   RL_FILE         file to open, relative to the workspace (it must have one RL101 finding)
//   RL_SECOND_FILE  a TypeScript file with one RL101 finding, for the settings checks
//   RL_FIXALL_FILE, RL_FIXALL_MARKER  a file with safe fixes, and text it contains once fixed
//   RL_LINE, RL_COLUMN  1-based position inside the flagged call
//   RL_REVIEWLENS   the reviewlens executable (for the reviewlens.path setting)
//   RL_FIXED_MARKER text the file on disk contains once the quick fix is applied and saved
//   RL_ARTIFACTS    folder for screenshots
//   RL_PROFILE      Chromium profile folder (temporary)
//   RL_CHROMIUM     Chromium executable
//   RL_PLAYWRIGHT   folder of a package.json whose node_modules has playwright-core
//   RL_RESULT       JSON report written here
//   RL_TIMEOUT_MS   per-step timeout
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const env = process.env;
const require = createRequire(path.join(env.RL_PLAYWRIGHT, "package.json"));
const { chromium } = require("playwright-core");

const TIMEOUT = Number(env.RL_TIMEOUT_MS ?? "60000");
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
  "--disable-quic",
];
const mod = "Control";
const result = { ok: false, steps: [], timings_ms: {}, console_errors: [] };
const t0 = Date.now();

function step(name) {
  result.steps.push(name);
  result.timings_ms[name] = Date.now() - t0;
}

async function text(locator) {
  return ((await locator.textContent()) ?? "").replace(/\u00a0/g, " ");
}

/** Runs a workbench command through the command palette (F1), as a user would. */
async function runCommand(page, label) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: TIMEOUT });
  await input.fill(`>${label}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: label }).first();
  await row.waitFor({ state: "visible", timeout: TIMEOUT });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: TIMEOUT });
}

async function main() {
  const context = await chromium.launchPersistentContext(env.RL_PROFILE, {
    executablePath: env.RL_CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 860 },
    deviceScaleFactor: 1,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on("console", (msg) => {
      if (msg.type() === "error" && result.console_errors.length < 50) {
        result.console_errors.push(msg.text().slice(0, 500));
      }
    });

    await page.goto(env.RL_URL);
    await page.locator(".monaco-workbench").waitFor({ state: "visible" });
    await page.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ state: "visible" });
    step("workbench loaded");

    // The extension is installed in this profile (code-server --install-extension).
    // Open the file through Quick Open.
    const base = path.basename(env.RL_FILE);
    await page.keyboard.press(`${mod}+P`);
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(env.RL_FILE);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: base }).first().waitFor();
    await page.keyboard.press("Enter");
    const editor = page.locator(".editor-instance .monaco-editor").first();
    await page.locator(`.tabs-container .tab[data-resource-name="${base}"]`).waitFor();
    await editor.locator(".view-lines").waitFor();
    step("file opened");

    // Diagnostics in the editor: a warning squiggle from reviewlens.
    const squiggle = editor.locator(".squiggly-warning");
    await squiggle.first().waitFor({ state: "attached" });
    result.squiggles_before = await squiggle.count();
    step("squiggle shown");

    // The status-bar item.
    const status = page.locator(".statusbar-item", { hasText: "reviewlens" });
    await status.first().waitFor({ state: "visible" });
    result.status_bar = (await text(status.first())).trim();
    result.status_tooltip = await status.first().getAttribute("aria-label");

    // The Problems panel lists the diagnostic with its source and code.
    await runCommand(page, "View: Focus Problems");
    const problems = page.locator(".markers-panel .monaco-list-row");
    await problems.filter({ hasText: "RL101" }).first().waitFor({ state: "visible" });
    result.problems_before = await Promise.all((await problems.all()).map((row) => text(row)));
    step("problems panel");

    // Put the cursor inside the flagged call: Quick Open's ":line:column" (Go to Line).
    await editor.locator(".view-lines").click();
    await page.keyboard.press(`${mod}+P`);
    await input.waitFor({ state: "visible" });
    await input.fill(`:${env.RL_LINE}:${env.RL_COLUMN}`);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: `${env.RL_LINE}` }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
    // The lightbulb appears when the server has code actions at the cursor.
    await page.locator(".lightBulbWidget, .codicon-light-bulb, .codicon-lightbulb-autofix, .codicon-lightbulb-sparkle").first()
      .waitFor({ state: "visible" });
    step("lightbulb shown");

    // Ctrl+. opens the quick fix menu; its first item is the rule's fix.
    await page.keyboard.press(`${mod}+Period`);
    const menu = page.locator(".action-widget");
    await menu.waitFor({ state: "visible" });
    const items = menu.locator(".monaco-list-row.action");
    await items.first().waitFor({ state: "visible" });
    result.menu = await Promise.all((await items.all()).map(async (row) => (await text(row)).trim()));
    result.focused = (await text(menu.locator(".monaco-list-row.action.focused").first())).trim();
    await page.screenshot({ path: path.join(env.RL_ARTIFACTS, "vscode-quickfix-menu.png") });
    step("quick fix menu");

    await page.keyboard.press("Enter");
    await menu.waitFor({ state: "hidden" });
    await page.keyboard.press(`${mod}+S`);
    const target = path.join(env.RL_WORKSPACE, env.RL_FILE);
    const deadline = Date.now() + TIMEOUT;
    while (!fs.readFileSync(target, "utf8").includes(env.RL_FIXED_MARKER)) {
      if (Date.now() > deadline) {
        throw new Error(`the file on disk never contained ${JSON.stringify(env.RL_FIXED_MARKER)}`);
      }
      await page.waitForTimeout(100);
    }
    step("fix applied and saved");

    // The server re-checks: the squiggle and the problem go away.
    await squiggle.first().waitFor({ state: "detached" });
    await problems.filter({ hasText: "RL101" }).first().waitFor({ state: "detached" });
    result.squiggles_after = await squiggle.count();
    result.editor_text = (await text(editor.locator(".view-lines"))).slice(0, 2000);
    await page.screenshot({ path: path.join(env.RL_ARTIFACTS, "vscode-after-fix.png") });
    step("diagnostics cleared");

    // Commands: "reviewlens: Restart Server", then "reviewlens: Show Output" shows the log.
    await runCommand(page, "reviewlens: Restart Server");
    await runCommand(page, "reviewlens: Show Output");
    const outputPanel = page.locator(".part.panel");
    await outputPanel.getByText("Restarting the reviewlens server (restart command)").first().waitFor();
    await outputPanel.getByText("reviewlens server running").last().waitFor();
    step("restart and output commands");

    // A wrong `reviewlens.path`: the server is restarted, cannot be found, and the user is told how to fix it.
    fs.mkdirSync(path.join(env.RL_WORKSPACE, ".vscode"), { recursive: true });
    fs.writeFileSync(
      path.join(env.RL_WORKSPACE, ".vscode", "settings.json"),
      JSON.stringify({ "reviewlens.path": "/nonexistent/bin/reviewlens" }),
    );
    const toast = page.locator(".notification-toast", { hasText: "reviewlens.path" });
    await toast.first().waitFor({ state: "visible" });
    result.not_found_notification = (await text(toast.first())).trim();
    result.status_after_bad_path = await status.first().getAttribute("aria-label");
    await page.screenshot({ path: path.join(env.RL_ARTIFACTS, "vscode-bad-path.png") });
    step("bad path notification");

    // The setting pointing at the real executable: it wins over PATH, and the server runs again.
    fs.writeFileSync(
      path.join(env.RL_WORKSPACE, ".vscode", "settings.json"),
      JSON.stringify({ "reviewlens.path": env.RL_REVIEWLENS }),
    );
    const pathDeadline = Date.now() + TIMEOUT;
    for (;;) {
      const label = (await status.first().getAttribute("aria-label")) ?? "";
      if (label.includes("**reviewlens** running") && label.includes(env.RL_REVIEWLENS)) {
        result.status_with_path_setting = label;
        break;
      }
      if (Date.now() > pathDeadline) {
        throw new Error(`the status bar never showed the server from reviewlens.path: ${label}`);
      }
      await page.waitForTimeout(100);
    }
    step("path setting used");

    // Settings reach the server: a severity override turns the TypeScript warning into an
    // error, and `ignore` removes it.
    const settingsFile = path.join(env.RL_WORKSPACE, ".vscode", "settings.json");
    const writeSettings = (extra) =>
      fs.writeFileSync(settingsFile, JSON.stringify({ "reviewlens.path": env.RL_REVIEWLENS, ...extra }));
    await page.keyboard.press(`${mod}+P`);
    await input.waitFor({ state: "visible" });
    await input.fill(env.RL_SECOND_FILE);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: path.basename(env.RL_SECOND_FILE) }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(`.tabs-container .tab.active[data-resource-name="${path.basename(env.RL_SECOND_FILE)}"]`).waitFor();
    const active = page.locator(".editor-group-container.active .monaco-editor").first();
    await active.locator(".squiggly-warning").first().waitFor({ state: "attached" });
    writeSettings({ "reviewlens.severity": { RL101: "error" } });
    await active.locator(".squiggly-error").first().waitFor({ state: "attached" });
    await active.locator(".squiggly-warning").first().waitFor({ state: "detached" });
    step("severity setting");
    const waitForStatus = async (word) => {
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        const label = (await status.first().getAttribute("aria-label")) ?? "";
        if (label.includes(`**reviewlens** ${word}`)) {
          return label;
        }
        if (Date.now() > deadline) {
          throw new Error(`the status bar never said "${word}": ${label}`);
        }
        await page.waitForTimeout(100);
      }
    };
    writeSettings({ "reviewlens.severity": { RL101: "error" }, "reviewlens.enable": false });
    await active.locator(".squiggly-error").first().waitFor({ state: "detached" });
    result.status_disabled = await waitForStatus("disabled");
    writeSettings({ "reviewlens.severity": { RL101: "error" }, "reviewlens.enable": true });
    await active.locator(".squiggly-error").first().waitFor({ state: "attached" });
    await waitForStatus("running");
    step("enable setting");
    writeSettings({ "reviewlens.ignore": ["RL101"] });
    await active.locator(".squiggly-error").first().waitFor({ state: "detached" });
    result.squiggles_with_ignore = await active.locator(".squiggly-warning, .squiggly-error").count();
    step("ignore setting");

    // "reviewlens: Fix all auto-fixable problems" from the command palette (safe fixes only).
    await page.keyboard.press(`${mod}+P`);
    await input.waitFor({ state: "visible" });
    await input.fill(env.RL_FIXALL_FILE);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: path.basename(env.RL_FIXALL_FILE) }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(`.tabs-container .tab.active[data-resource-name="${path.basename(env.RL_FIXALL_FILE)}"]`).waitFor();
    const fixAllEditor = page.locator(".editor-group-container.active .monaco-editor").first();
    await fixAllEditor.locator(".squiggly-warning, .squiggly-error").first().waitFor({ state: "attached" });
    await runCommand(page, "reviewlens: Fix all auto-fixable problems");
    const fixAllTarget = path.join(env.RL_WORKSPACE, env.RL_FIXALL_FILE);
    await fixAllEditor.locator(".view-lines").getByText(env.RL_FIXALL_MARKER).first().waitFor();
    await page.keyboard.press(`${mod}+S`);
    const fixAllDeadline = Date.now() + TIMEOUT;
    while (!fs.readFileSync(fixAllTarget, "utf8").includes(env.RL_FIXALL_MARKER)) {
      if (Date.now() > fixAllDeadline) {
        throw new Error(`fix-all: the file on disk never contained ${JSON.stringify(env.RL_FIXALL_MARKER)}`);
      }
      await page.waitForTimeout(100);
    }
    await fixAllEditor.locator(".squiggly-warning, .squiggly-error").first().waitFor({ state: "detached" });
    step("fix all command");
    result.ok = true;
  } catch (err) {
    result.error = err instanceof Error ? err.stack ?? err.message : String(err);
    const page = context.pages()[0];
    if (page) {
      await page.screenshot({ path: path.join(env.RL_ARTIFACTS, "vscode-failure.png") }).catch(() => undefined);
    }
  } finally {
    await context.close().catch(() => undefined);
  }
}

await main();
fs.writeFileSync(env.RL_RESULT, JSON.stringify(result, null, 2));
process.exit(result.ok ? 0 : 1);
