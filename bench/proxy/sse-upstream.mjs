// A loopback OpenAI-compatible SSE upstream standing in for an agent's gateway in the chat part: the
// project's test LLM (agent-runtime/src/testing), which streams its reply as chat.completion chunks.
// Requires BENCH_SSE_TOKEN as its bearer token; sends its port to the parent over IPC.
const { startTestLlm } = await import("../../agent-runtime/dist/testing/index.js");

const llm = await startTestLlm({ host: "127.0.0.1", port: 0, apiKey: process.env.BENCH_SSE_TOKEN });
process.send({ port: llm.port });
process.on("SIGTERM", () => llm.close().finally(() => process.exit(0)));
