export * from "./test-llm.js";
