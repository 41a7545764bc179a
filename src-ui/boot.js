// Loads the wasm UI. A separate file because the CSP forbids inline scripts. If loading fails,
// the window says so calmly (and keeps the reason in an attribute for the end-to-end tests)
// instead of staying blank.
const fail = (e) => {
  document.body.dataset.bootError = String((e && e.message) || e);
  document.body.textContent = "Kindred couldn't open its screen. Please close it and open it again.";
};
window.addEventListener("error", (ev) => fail(ev.error || ev.message));
import("./kindred_ui.js").then((m) => m.default()).catch(fail);
