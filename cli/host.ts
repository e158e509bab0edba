/** The disk host lives in host/ (shared with the language server); re-exported for the commands. */
export { nodeHost } from "../host/index.js";
