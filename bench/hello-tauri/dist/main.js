document.addEventListener("DOMContentLoaded", () => window.__TAURI__.core.invoke("ready"));
