// Lint: typescript-eslint's strict, type-checked rules over src/ and test/ (run by `npm run lint`,
// part of `npm test`). Every rule turned off or loosened below says why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**", "grammar/**", "docs/**", "*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  comments.recommended,
  {
    // A rule switched off on a line must say why there (`-- because …`), and a switch that no
    // longer silences anything is an error, so the exceptions stay few, explained and current.
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: { "@eslint-community/eslint-comments/require-description": "error" },
  },
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans print predictably in messages; the rule's point (objects, undefined,
      // null in text) stays enforced.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // `() => void doIt()` and `(x) => list.push(x)` shorthands are idiomatic callbacks.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // The SDK's enums are string unions on the wire; comparing them with the wire's strings is
      // exactly what the provider and the local endpoint must do.
      "@typescript-eslint/no-unsafe-enum-comparison": "off",
      // `const { range: _range, ...rest } = x` is how a copy without one key is written: the key's
      // name is unused on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // A test that asserts `x!` fails loudly when x is missing, which is what a test should do;
      // narrowing with `if` in every assertion would hide the failure instead.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Tests read JSON output (JSON.parse is `any`) and poke at it; the assertions are the checks.
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Fakes and callbacks implement async interfaces (a provider's read, walkGraph's visit, the
      // grammar loader, mocha hooks) and are written async though they have nothing to await.
      "@typescript-eslint/require-await": "off",
      // A test that expects a rejection names the error type it expects; if something else is
      // thrown, the assertion on it fails, which is the check.
      "@typescript-eslint/use-unknown-in-catch-callback-variable": "off",
    },
  },
);
