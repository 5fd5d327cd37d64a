// Finds the reviewlens language server: the `reviewlens.path` setting, then the
// interpreter selected in the Python extension, then `reviewlens` on PATH.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import * as vscode from "vscode";

export type ServerSource = "setting" | "python" | "path";

export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerSource;
  /** Human-readable description for the status bar and the output channel. */
  description: string;
}

export type Resolution =
  | { ok: true; server: ServerCommand; notes: string[] }
  | { ok: false; reason: "setting-missing" | "not-found"; detail: string; notes: string[] };

const PYTHON_EXTENSION_ID = "ms-python.python";

/** Expands `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in a configured path. */
export function expandPath(raw: string, folder: vscode.WorkspaceFolder | undefined): string {
  let value = raw.trim();
  if (value === "~" || value.startsWith("~/") || value.startsWith("~\\")) {
    value = path.join(os.homedir(), value.slice(1));
  }
  value = value.replace(/\$\{userHome\}/g, os.homedir());
  value = value.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => process.env[name] ?? "");
  if (folder) {
    value = value.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  }
  if (!path.isAbsolute(value) && folder && (value.includes("/") || value.includes("\\"))) {
    value = path.join(folder.uri.fsPath, value);
  }
  return value;
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a bare command name up on PATH (with PATHEXT on Windows). */
export function which(name: string, envPath = process.env.PATH ?? ""): string | undefined {
  const exts =
    process.platform === "win32"
      ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean)]
      : [""];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
  resolveEnvironment(
    env: { id: string; path: string } | string,
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

/** The Python extension's API, when that extension is installed. */
export async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!ext) {
    return undefined;
  }
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/** The interpreter selected in the Python extension for `resource`, if any. */
export async function selectedInterpreter(
  api: PythonExtensionApi,
  resource: vscode.Uri | undefined,
): Promise<string | undefined> {
  try {
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const env = await api.environments.resolveEnvironment(active);
      const exe = env?.executable.uri?.fsPath;
      if (exe) {
        return exe;
      }
    }
    const exec = api.settings?.getExecutionDetails?.(resource)?.execCommand;
    if (exec && exec.length > 0) {
      return exec[0];
    }
  } catch {
    // The Python extension may still be discovering environments; fall through.
  }
  return undefined;
}

/** True when `python -c "import reviewlens.server"` succeeds within a few seconds. */
function interpreterHasReviewlens(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import reviewlens.server"], { timeout: 10_000 }, (error) =>
      resolve(!error),
    );
  });
}

export async function resolveServer(
  config: vscode.WorkspaceConfiguration,
  folder: vscode.WorkspaceFolder | undefined,
): Promise<Resolution> {
  const notes: string[] = [];

  // 1. An explicit `reviewlens.path` always wins, and is an error when wrong.
  const configured = (config.get<string>("path") ?? "").trim();
  if (configured) {
    const expanded = expandPath(configured, folder);
    const found = path.isAbsolute(expanded) ? expanded : which(expanded);
    if (found && isExecutableFile(found)) {
      return {
        ok: true,
        notes,
        server: { command: found, args: ["serve"], source: "setting", description: `${found} (reviewlens.path)` },
      };
    }
    return {
      ok: false,
      notes,
      reason: "setting-missing",
      detail: `The setting "reviewlens.path" is "${configured}", but no executable file was found at ${expanded}.`,
    };
  }

  // 2. The interpreter selected in the Python extension, when it has reviewlens installed.
  const api = await pythonExtensionApi();
  if (api) {
    const python = await selectedInterpreter(api, folder?.uri);
    if (python) {
      if (await interpreterHasReviewlens(python)) {
        return {
          ok: true,
          notes,
          server: {
            command: python,
            args: ["-m", "reviewlens.server", "serve"],
            source: "python",
            description: `${python} -m reviewlens.server (selected Python interpreter)`,
          },
        };
      }
      notes.push(`The selected Python interpreter ${python} does not have reviewlens installed.`);
    } else {
      notes.push("The Python extension has no interpreter selected.");
    }
  }

  // 3. `reviewlens` on PATH.
  const onPath = which("reviewlens");
  if (onPath) {
    return {
      ok: true,
      notes,
      server: { command: onPath, args: ["serve"], source: "path", description: `${onPath} (PATH)` },
    };
  }
  notes.push("No `reviewlens` executable was found on PATH.");
  return { ok: false, notes, reason: "not-found", detail: notes.join(" ") };
}
