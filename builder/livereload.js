// kb serve: reload pages whose output changed, swap changed stylesheets, show build errors over the page.
(() => {
  "use strict";
  const base = document.currentScript.dataset.base;
  const here = (() => {
    let path = decodeURIComponent(window.location.pathname);
    path = path.startsWith(base) ? path.slice(base.length) : path;
    return path === "" || path.endsWith("/") ? path + "index.html" : path;
  })();
  let overlay = null;

  function showErrors(diagnostics) {
    if (overlay) overlay.remove();
    overlay = null;
    if (!diagnostics.length) return;
    overlay = document.createElement("div");
    overlay.id = "kb-error-overlay";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build errors");
    overlay.style.cssText =
      "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;" +
      "background:#2b0b0b;color:#ffe9e9;font:14px/1.5 ui-monospace,monospace;padding:1rem 1.25rem;" +
      "border-top:4px solid #ff5c5c;box-shadow:0 -4px 24px rgba(0,0,0,.4)";
    const title = document.createElement("strong");
    title.textContent = `kb: the last edit broke the build (${diagnostics.length} problem${diagnostics.length === 1 ? "" : "s"}). Showing the last good version.`;
    const list = document.createElement("ul");
    list.style.cssText = "margin:.5rem 0 0;padding-left:1.2rem";
    for (const d of diagnostics) {
      const item = document.createElement("li");
      item.textContent = `${d.path}:${d.line}:${d.col}: ${d.severity}[${d.code}]: ${d.message}`;
      list.append(item);
    }
    overlay.append(title, list);
    document.body.append(overlay);
  }

  function swapStylesheets(changed) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      const name = decodeURIComponent(url.pathname).slice(base.length);
      if (!changed.includes(name)) continue;
      url.searchParams.set("kb-reload", String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.toString();
      fresh.addEventListener("load", () => link.remove());
      link.after(fresh);
    }
  }

  const events = new EventSource("/__kb/events");
  events.addEventListener("errors", (event) => showErrors(JSON.parse(event.data)));
  events.addEventListener("changed", (event) => {
    const changed = JSON.parse(event.data);
    if (changed.includes(here)) {
      window.location.reload();
      return;
    }
    swapStylesheets(changed.filter((name) => name.endsWith(".css")));
  });
  window.kbLiveReload = { here };
})();
