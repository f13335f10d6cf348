// asc 0.28 resolves `import .. from "@eddy/smartmodule-sdk"` to this file (node_modules/<pkg>/index.ts).
export * from "./assembly/index";
