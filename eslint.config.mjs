// ESLint for the portal's own scripts (make lint and pre-commit run it). The built and
// vendored files (GOV.UK Frontend, htmx) under portal/static/dist are not ours to lint.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: ["portal/static/dist/", "staticfiles/", "node_modules/", ".venv/", "test-results/"],
  },
  js.configs.recommended,
  {
    // Classic scripts loaded with <script defer>.
    files: [
      "casework/static/**/*.js",
      "chat/static/**/*.js",
      "plans/static/**/*.js",
      "portal/static/**/*.js",
    ],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: globals.browser,
    },
    rules: {
      // live.js keeps to ES5 (var, function), where a catch clause must name its error.
      "no-unused-vars": ["error", { caughtErrors: "none" }],
    },
  },
  {
    files: ["portal/static/portal/portal.js"],
    languageOptions: { sourceType: "module" },
  },
  {
    // The front-end build and this file run in Node.
    files: ["frontend/**/*.mjs", "eslint.config.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.node,
    },
  },
];
