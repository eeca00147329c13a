// ESLint (flat config): `npm run lint`, also run by `make check`.
// typescript-eslint's recommended rules with type information (from tsconfig.json
// through the project service) and the React hooks rules, on the client and its
// build configs. Warnings fail the lint too (--max-warnings=0 in package.json).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  // Written by the build (codegen, vite), never by hand.
  globalIgnores(["dist/", "src/generated/"]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    // This file is plain JavaScript outside tsconfig.json: no type information for it.
    files: ["**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
