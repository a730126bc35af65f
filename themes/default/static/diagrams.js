// Mermaid diagrams, drawn from the source kept in each <pre class="mermaid"> (which stays as the readable
// fallback), in the light or dark palette of the page, and drawn again when the palette changes.
// A diagram with an error shows the error above its source instead of a blank.
(function () {
  "use strict";
  var mermaid = window.mermaid;
  var blocks = Array.prototype.slice.call(document.querySelectorAll(".mermaid-diagram"));
  if (!mermaid || !blocks.length) return;
  var root = document.documentElement;
  var media = window.matchMedia("(prefers-color-scheme: dark)");
  var drawn = null;
  var count = 0;

  function dark() {
    if (root.dataset.theme) return root.dataset.theme === "dark";
    return media.matches;
  }

  function show(block, svg, error, scheme) {
    var output = block.querySelector(".mermaid-svg");
    if (!output) {
      output = document.createElement("div");
      output.className = "mermaid-svg";
      block.insertBefore(output, block.firstChild);
    }
    var message = block.querySelector(".mermaid-error");
    if (error) {
      output.innerHTML = "";
      if (!message) {
        message = document.createElement("p");
        message.className = "mermaid-error";
        block.insertBefore(message, block.querySelector("pre.mermaid"));
      }
      message.textContent = "This diagram could not be drawn: " + error + " Its source is shown below.";
      block.classList.remove("is-drawn");
      return;
    }
    if (message) message.remove();
    output.innerHTML = svg;
    output.classList.toggle("scheme-dark", scheme === "dark");  // print turns a dark drawing light
    var drawing = output.querySelector("svg");
    if (drawing) {
      drawing.setAttribute("role", "img");
      drawing.removeAttribute("aria-roledescription");
      if (!drawing.getAttribute("aria-label") && !drawing.getAttribute("aria-labelledby")) {
        drawing.setAttribute("aria-label", "Diagram");
      }
    }
    block.classList.add("is-drawn");
  }

  var queue = Promise.resolve();

  function draw(scheme) {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      suppressErrorRendering: true,
      theme: scheme === "dark" ? "dark" : "default",
      fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    });
    return blocks.reduce(function (previous, block) {
      return previous.then(function () {
        var source = block.querySelector("pre.mermaid").textContent;
        var id = "kb-diagram-" + (count += 1);
        return mermaid.render(id, source).then(
          function (result) { show(block, result.svg, null, scheme); },
          function (error) {
            var text = String((error && (error.message || error.str)) || error).split("\n").slice(0, 4).join(" ");
            show(block, "", text.trim(), scheme);
            var stray = document.getElementById("d" + id);
            if (stray) stray.remove();
          }
        );
      });
    }, Promise.resolve());
  }

  function drawAll() {
    var scheme = dark() ? "dark" : "light";
    if (scheme === drawn) return;
    drawn = scheme;
    queue = queue.then(function () { return draw(scheme); });
  }

  drawAll();
  new MutationObserver(drawAll).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  if (media.addEventListener) media.addEventListener("change", drawAll);
})();
