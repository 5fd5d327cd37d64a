// ESLint's nearest equivalent of reviewlens' TS rules: no-console (RL101) with the
// TypeScript parser, plus no-empty for empty catch blocks (RL501).
import tsParser from "@typescript-eslint/parser";

export default [
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"],
    languageOptions: { parser: tsParser, ecmaVersion: "latest", sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "no-console": ["error", { allow: ["warn", "error"] }],
      "no-empty": "error",
    },
  },
];
