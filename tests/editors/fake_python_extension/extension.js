// Test double for the Python extension's `environments` API (ms-python.python), used by
// tests/editors/test_vscode.py: the selected interpreter is python.defaultInterpreterPath.
const vscode = require("vscode");

function activate() {
  const changed = new vscode.EventEmitter();
  const selected = () => vscode.workspace.getConfiguration("python").get("defaultInterpreterPath", "python");
  return {
    environments: {
      getActiveEnvironmentPath: () => ({ id: selected(), path: selected() }),
      resolveEnvironment: async (env) => {
        const p = typeof env === "string" ? env : env.path;
        return { id: p, path: p, executable: { uri: vscode.Uri.file(p) } };
      },
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  };
}

module.exports = { activate, deactivate() {} };
