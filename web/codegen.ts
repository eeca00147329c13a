// GraphQL Code Generator: the operations in ../graphql/operations are checked
// against the checked-in contract ../graphql/schema.graphql and typed for the
// client. An operation that is not valid against the schema fails the build.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: [
    "../graphql/schema.graphql",
  ],
  documents: ["../graphql/operations/*.graphql"],
  overwrite: true,
  errorsOnly: false,
  noSilentErrors: true,
  generates: {
    "src/generated/graphql.ts": {
      // typescript-operations 6 emits the enums and inputs the operations use itself
      // (with the `typescript` plugin too they would be declared twice).
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        skipTypename: false,
        scalars: {
          ID: "string",
          DateTime: "string",
          Date: "string",
          Rupiah: "string",
          JSON: "unknown",
        },
      },
    },
  },
};

export default config;
