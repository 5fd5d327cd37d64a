// The reviewlens VS Code extension: starts `reviewlens serve` (LSP over stdio) for
// Python, TypeScript and JavaScript files and adds commands and a status-bar item.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { pythonExtensionApi, resolveServer, ServerCommand } from "./resolve";

export const LANGUAGES = ["python", "typescript", "typescriptreact", "javascript", "javascriptreact"];
/** The server's command that applies all safe fixes to one document. */
const APPLY_AUTOFIX = "reviewlens.applyAutofix";
const SECTION = "reviewlens";

/** The settings the server understands, as sent in initializationOptions and didChangeConfiguration. */
export interface ServerSettings {
  enable: boolean;
  /** Omitted when unset, so the project configuration's selection applies. */
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  severity: Record<string, string>;
  debounce: number;
}

export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const select = config.get<string[] | null>("select", null);
  return {
    enable: config.get<boolean>("enable", true),
    ...(Array.isArray(select) ? { select } : {}),
    extendSelect: config.get<string[]>("extendSelect", []),
    ignore: config.get<string[]>("ignore", []),
    severity: config.get<Record<string, string>>("severity", {}),
    debounce: config.get<number>("debounce", 150),
  };
}

type Status = "starting" | "running" | "stopped" | "error" | "disabled";

class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private status: Status = "stopped";
  private detail = "";

  constructor() {
    this.item = vscode.window.createStatusBarItem("reviewlens.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "reviewlens";
    this.item.command = "reviewlens.showOutput";
    this.render();
  }

  set(status: Status, detail = ""): void {
    this.status = status;
    this.detail = detail;
    this.render();
  }

  /** Shown while a reviewlens language is in the active editor, or when something needs attention. */
  updateVisibility(): void {
    const lang = vscode.window.activeTextEditor?.document.languageId;
    if ((lang && LANGUAGES.includes(lang)) || this.status === "error") {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  private render(): void {
    const icons: Record<Status, string> = {
      starting: "$(loading~spin)",
      running: "$(check)",
      stopped: "$(circle-slash)",
      error: "$(error)",
      disabled: "$(circle-slash)",
    };
    const words: Record<Status, string> = {
      starting: "starting",
      running: "running",
      stopped: "stopped",
      error: "not running",
      disabled: "disabled",
    };
    this.item.text = `${icons[this.status]} reviewlens`;
    const tooltip = new vscode.MarkdownString(`**reviewlens** ${words[this.status]}`);
    if (this.detail) {
      tooltip.appendMarkdown("\n\n");
      tooltip.appendText(this.detail);
    }
    tooltip.appendMarkdown("\n\nClick to show the reviewlens output.");
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      this.status === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.updateVisibility();
  }

  dispose(): void {
    this.item.dispose();
  }
}

class ReviewlensExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private server: ServerCommand | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly status: StatusItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** Serialises start/stop/restart so rapid setting changes never run two servers. */
  private queue: Promise<void> = Promise.resolve();

  private readonly configWatchers: vscode.FileSystemWatcher[];

  constructor() {
    this.output = vscode.window.createOutputChannel("reviewlens", { log: true });
    this.status = new StatusItem();
    this.configWatchers = [
      vscode.workspace.createFileSystemWatcher("**/pyproject.toml"),
      vscode.workspace.createFileSystemWatcher("**/reviewlens.toml"),
    ];
    this.disposables.push(this.output, this.status, ...this.configWatchers);
  }

  activate(): void {
    void vscode.commands.executeCommand("setContext", "reviewlens.languages", LANGUAGES);
    this.disposables.push(
      vscode.commands.registerCommand("reviewlens.restart", () => this.restart("restart command")),
      vscode.commands.registerCommand("reviewlens.showOutput", () => this.output.show(true)),
      // Not "reviewlens.fixAll": the server registers that name as an LSP command, and
      // vscode-languageclient turns server commands into VS Code commands of the same name.
      vscode.commands.registerCommand("reviewlens.executeAutofix", () => this.fixAll()),
      vscode.window.onDidChangeActiveTextEditor(() => this.status.updateVisibility()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.restart("workspace trusted")),
    );
    void this.watchPythonInterpreter();
    this.enqueue(() => this.start());
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task, task).catch((err: unknown) => {
      this.output.error(`reviewlens: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    });
    return this.queue;
  }

  private restart(reason: string): Promise<void> {
    this.output.info(`Restarting the reviewlens server (${reason}).`);
    return this.enqueue(async () => {
      await this.stop();
      await this.start();
    });
  }

  private async watchPythonInterpreter(): Promise<void> {
    const api = await pythonExtensionApi();
    const event = api?.environments?.onDidChangeActiveEnvironmentPath;
    if (event) {
      this.disposables.push(
        event(() => {
          // The interpreter outranks PATH (and may now provide a missing server); only an
          // explicit reviewlens.path is unaffected by the selection.
          if (this.server?.source !== "setting") {
            void this.restart("Python interpreter changed");
          }
        }),
      );
    }
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration(SECTION)) {
      return;
    }
    if (e.affectsConfiguration(`${SECTION}.path`)) {
      void this.restart("reviewlens.path changed");
      return;
    }
    if (e.affectsConfiguration(`${SECTION}.trace.server`)) {
      // The client picks up the new trace level itself; nothing to send.
      return;
    }
    const client = this.client;
    if (client && client.state === State.Running) {
      this.status.set(this.runningStatus(), this.describeRunning(client));
      const settings = serverSettings(vscode.workspace.workspaceFolders?.[0]);
      this.output.info(`Sending changed settings: ${JSON.stringify(settings)}`);
      void client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: settings },
      });
    }
  }

  private async start(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    this.status.set("starting");
    const resolution = await resolveServer(vscode.workspace.getConfiguration(SECTION, folder), folder);
    for (const note of resolution.notes) {
      this.output.info(note);
    }
    if (!resolution.ok) {
      this.server = undefined;
      this.status.set("error", resolution.detail);
      this.output.error(resolution.detail);
      void this.notifyNotFound(resolution.reason, resolution.detail);
      return;
    }
    const server = resolution.server;
    this.server = server;
    this.output.info(`Starting the reviewlens server: ${server.command} ${server.args.join(" ")}`);

    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      transport: TransportKind.stdio,
      options: { cwd: folder?.uri.fsPath, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const documentSelector = LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]);
    const clientOptions: LanguageClientOptions = {
      documentSelector,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: { settings: serverSettings(folder) },
      // Project configuration changes re-check open documents (the server may also register its own watchers).
      synchronize: { fileEvents: this.configWatchers },
      diagnosticCollectionName: "reviewlens",
      middleware: {
        workspace: {
          // Answer the server's workspace/configuration pulls with the server's own keys only
          // (no `path` or `trace`), resolved for the folder the server asks about.
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, i) => {
              if (item.section !== SECTION) {
                return answers[i];
              }
              const scope = item.scopeUri ? client.protocol2CodeConverter.asUri(item.scopeUri) : folder?.uri;
              return serverSettings(scope);
            });
          },
        },
      },
    };
    const client = new LanguageClient("reviewlens", "reviewlens", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.status.set(this.runningStatus(), this.describeRunning(client));
      } else if (e.newState === State.Starting) {
        this.status.set("starting", server.description);
      } else if (this.client === client) {
        this.status.set("stopped", server.description);
      }
    });
    try {
      await client.start();
      this.status.set(this.runningStatus(), this.describeRunning(client));
      this.output.info(`reviewlens server running: ${this.describeRunning(client)}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.status.set("error", `${server.description}: ${message}`);
      this.output.error(`The reviewlens server failed to start: ${message}`);
      void vscode.window
        .showErrorMessage(
          `reviewlens: the language server (${server.description}) failed to start: ${message}`,
          "Show Output",
        )
        .then((choice) => choice && this.output.show(true));
    }
  }

  /** "disabled" while `reviewlens.enable` is false (the server keeps running, publishing nothing). */
  private runningStatus(): Status {
    return serverSettings(vscode.workspace.workspaceFolders?.[0]).enable ? "running" : "disabled";
  }

  private describeRunning(client: LanguageClient): string {
    const info = client.initializeResult?.serverInfo;
    const name = info ? `${info.name}${info.version ? ` ${info.version}` : ""}` : "reviewlens";
    return `${name} — ${this.server?.description ?? ""}`;
  }

  private async notifyNotFound(reason: "setting-missing" | "not-found", detail: string): Promise<void> {
    const actions = ["Open Settings", "Show Output"];
    const havePython = vscode.extensions.getExtension("ms-python.python") !== undefined;
    if (havePython && reason === "not-found") {
      actions.unshift("Select Interpreter");
    }
    const message =
      reason === "setting-missing"
        ? `reviewlens: ${detail} Fix the setting or clear it to use the Python interpreter or PATH.`
        : "reviewlens: the language server was not found. Install it into your project's environment " +
          "(`pip install reviewlens`), then select that interpreter in the Python extension, put `reviewlens` " +
          'on PATH, or set "reviewlens.path" to the executable.';
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "reviewlens.path");
    } else if (choice === "Show Output") {
      this.output.show(true);
    } else if (choice === "Select Interpreter") {
      await vscode.commands.executeCommand("python.setInterpreter");
    }
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.warn(`Stopping the reviewlens server: ${err instanceof Error ? err.message : String(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.status.set("stopped");
  }

  /** Applies every safe reviewlens fix in the active editor through the server's
   * `reviewlens.applyAutofix` command (versioned: a stale request is refused, never misapplied). */
  private async fixAll(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || !LANGUAGES.includes(editor.document.languageId)) {
      void vscode.window.showInformationMessage("reviewlens: open a Python, TypeScript or JavaScript file to fix.");
      return;
    }
    if (!client || client.state !== State.Running) {
      void vscode.window
        .showWarningMessage("reviewlens: the language server is not running.", "Show Output")
        .then((choice) => choice && this.output.show(true));
      return;
    }
    const document = editor.document;
    const result = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: APPLY_AUTOFIX,
      arguments: [{ uri: client.code2ProtocolConverter.asUri(document.uri), version: document.version }],
    })) as { applied?: boolean; reason?: string } | null;
    if (result && result.applied === false && result.reason === "nothing to fix") {
      vscode.window.setStatusBarMessage("reviewlens: nothing to fix", 3000);
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

let extension: ReviewlensExtension | undefined;

export function activate(_context: vscode.ExtensionContext): void {
  extension = new ReviewlensExtension();
  extension.activate();
}

export async function deactivate(): Promise<void> {
  await extension?.dispose();
  extension = undefined;
}
