// Lesson pages: copy buttons on code, links to headings, the "On this page" list following the reader,
// scroll hints on wide tables. Everything here is an enhancement: the page reads the same without it.
(function () {
  "use strict";
  var body = document.querySelector(".lesson-body");
  if (!body) return;

  // One polite live region announces what a click did ("Copied").
  var announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.id = "kb-announcer";
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);
  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  // Code blocks: a real button, reachable by keyboard, that says what it did.
  body.querySelectorAll(".code-block").forEach(function (block) {
    var code = block.querySelector("pre code");
    if (!code) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    var title = block.querySelector(".code-title");
    button.setAttribute("aria-label", title ? "Copy code: " + title.textContent : "Copy code");
    var timer = 0;
    button.addEventListener("click", function () {
      copyText(code.textContent.replace(/\n$/, "")).then(function () {
        button.textContent = "Copied";
        announce("Copied");
      }, function () {
        button.textContent = "Press Ctrl+C";
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        announce("Copy failed: the code is selected, press Control C");
      });
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
    var header = block.querySelector(".code-header");
    (header || block).appendChild(button);
  });

  // Headings: a link beside each, shown on hover and focus, that copies the section's address.
  var headings = Array.prototype.slice.call(body.querySelectorAll("h2[id], h3[id], h4[id]"));
  headings.forEach(function (heading) {
    var wrap = document.createElement("div");
    wrap.className = "heading-wrap heading-" + heading.tagName.toLowerCase();
    heading.parentNode.insertBefore(wrap, heading);
    wrap.appendChild(heading);
    var link = document.createElement("a");
    link.className = "heading-link";
    link.href = "#" + heading.id;
    link.innerHTML = '<span aria-hidden="true">#</span>';
    link.setAttribute("aria-label", "Copy link to section: " + heading.textContent);
    link.addEventListener("click", function () {
      var address = location.href.split("#")[0] + "#" + heading.id;
      copyText(address).then(function () {
        link.classList.add("copied");
        announce("Link to section copied");
        window.setTimeout(function () { link.classList.remove("copied"); }, 2000);
      }, function () { /* the link still goes to the section */ });
    });
    wrap.appendChild(link);
  });

  // Wide tables: say in words that they scroll, and keep them focusable only when they do.
  function checkTables() {
    body.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("table-hint")) {
        hint = document.createElement("p");
        hint.className = "table-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "Scroll sideways to see the whole table →";
        wrap.parentNode.insertBefore(hint, wrap);
      }
      hint.classList.toggle("is-shown", scrolls);
    });
  }
  checkTables();
  window.addEventListener("resize", checkTables);

  // "On this page": mark the section being read; on phones the closed list shows its name.
  var toc = document.getElementById("toc");
  if (!toc || !headings.length || !("IntersectionObserver" in window)) return;
  var links = {};
  toc.querySelectorAll("a[href^='#']").forEach(function (a) {
    links[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
  });
  var tracked = headings.filter(function (h) { return links[h.id]; });
  var current = toc.querySelector(".toc-current");
  var active = null;
  function update() {
    var line = window.innerHeight * 0.25;
    var found = null;
    for (var i = 0; i < tracked.length; i++) {
      if (tracked[i].getBoundingClientRect().top <= line) found = tracked[i]; else break;
    }
    if (!found && tracked.length) found = tracked[0];
    var bottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    if (bottom && tracked.length && tracked[tracked.length - 1].getBoundingClientRect().top < window.innerHeight) {
      found = tracked[tracked.length - 1];  // the last section cannot reach the line: at the end, it is the one read
    }
    if (found === active) return;
    if (active) links[active.id].removeAttribute("aria-current");
    active = found;
    if (!active) return;
    var link = links[active.id];
    link.setAttribute("aria-current", "true");
    if (current) current.textContent = active.textContent;
    var list = link.closest(".toc-list");
    if (list && list.scrollHeight > list.clientHeight) {
      var top = link.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - link.offsetHeight) {
        list.scrollTop = top - list.clientHeight / 2;
      }
    }
  }
  var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -70% 0px", threshold: [0, 1] });
  tracked.forEach(function (h) { observer.observe(h); });
  window.addEventListener("scroll", function () { window.requestAnimationFrame(update); }, { passive: true });
  update();

  // On phones, following a contents link closes the list so the section is not hidden under it.
  var details = document.getElementById("toc-details");
  toc.addEventListener("click", function (event) {
    if (event.target.closest("a") && details && window.matchMedia("(max-width: 63.99rem)").matches) {
      details.open = false;
    }
  });
})();
