export { RUNTIME_PORTS, type RuntimePortName } from "./ports.js";
