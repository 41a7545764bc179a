// Loads the wasm UI. A separate file because the CSP forbids inline scripts.
import init from "./kindred_ui.js";
init();
