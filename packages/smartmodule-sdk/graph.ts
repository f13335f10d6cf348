// asc resolves `import .. from "@eddy/smartmodule-sdk/graph"` to this file: the graph operator half of the SDK.
export * from "./assembly/graph/index";
