// The header search box: the top results in a dropdown while typing (an ARIA combobox with a listbox),
// and a last option that opens every result on /search/. Without script the form is a plain GET to /search/.
const TOP = 5;
const form = document.querySelector("form.header-search");
const input = document.getElementById("header-search-input");
const popup = document.getElementById("header-search-popup");
const list = document.getElementById("header-search-list");
const status = document.getElementById("header-search-status");

let engine = null;
let core = null;
let loading = null;
let options = []; // [{id, url}]
let active = -1;
let sequence = 0;
let timer = 0;

// "/" focuses the box (theme.js): the header shows it as a key badge (style.css) where there is a
// keyboard to press it, and assistive technology hears it from aria-keyshortcuts.
if (window.matchMedia("(hover: hover) and (pointer: fine)").matches) {
  input.setAttribute("aria-keyshortcuts", "/");
}

function load() {
  loading ||= (async () => {
    core = await import(form.dataset.core);
    const pagefind = await core.openIndex(form.dataset.bundle, form.dataset.base, { excerptLength: 14 });
    engine = new core.LessonSearch(pagefind, {
      synonyms: JSON.parse(form.dataset.synonyms || "[]"),
      vocabularyUrl: form.dataset.bundle + "kb-vocabulary.json",
    });
  })();
  return loading;
}

function allResultsUrl(query) {
  return form.action + (query ? "?q=" + encodeURIComponent(query) : "");
}

function setActive(index) {
  active = index;
  options.forEach((option, i) => {
    const node = document.getElementById(option.id);
    node.setAttribute("aria-selected", i === index ? "true" : "false");
    if (i === index) node.scrollIntoView({ block: "nearest" });
  });
  if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
  else input.removeAttribute("aria-activedescendant");
}

function open(isOpen) {
  popup.hidden = !isOpen;
  input.setAttribute("aria-expanded", isOpen ? "true" : "false");
  if (!isOpen) setActive(-1);
}

function option(id, url, children, extraClass = "") {
  const node = document.createElement("li");
  node.id = id;
  node.className = "search-option" + extraClass;
  node.setAttribute("role", "option");
  node.setAttribute("aria-selected", "false");
  node.append(...children);
  options.push({ id, url });
  return node;
}

function span(className, text, html) {
  const node = document.createElement("span");
  node.className = className;
  if (html !== undefined) node.innerHTML = html; // a Pagefind excerpt: escaped text and <mark>
  else node.textContent = text;
  return node;
}

async function update() {
  const token = ++sequence;
  const query = input.value.trim();
  if (!query) {
    open(false);
    status.textContent = "";
    return;
  }
  try {
    await load();
  } catch (error) {
    return; // no index on this copy: the form still submits to /search/
  }
  const found = await engine.search(query);
  const top = found.results.slice(0, TOP);
  const pages = await Promise.all(top.map((hit) => hit.data || hit.result.data()));
  if (token !== sequence || input.value.trim() !== query) return;
  options = [];
  const items = pages.map((data, i) =>
    option(`header-search-option-${i}`, data.url, [
      span("option-title", (data.meta && data.meta.title) || data.url),
      ...sectionLine(data),
    ]),
  );
  const total = found.results.length;
  const label = total ? `See all ${total} result${total === 1 ? "" : "s"} for “${query}”` : `No lessons match “${query}”: open the search page`;
  items.push(option("header-search-option-all", allResultsUrl(query), [document.createTextNode(label)], " see-all"));
  list.replaceChildren(...items);
  status.textContent = total ? `${total} lesson${total === 1 ? "" : "s"} found; the arrow keys move through the top ${top.length}.` : "No lessons match.";
  open(true);
  setActive(-1);
}

// The best matching section ("§ Heading: excerpt"), or the summary when the title or intro matched.
function sectionLine(data) {
  const [best] = core.bestSections(data, 1);
  if (best) return [span("option-section", `§ ${best.title}`), span("option-excerpt", "", best.excerpt)];
  return [span("option-excerpt", (data.meta && data.meta.summary) || "")];
}

function go(index) {
  const target = options[index];
  if (target) window.location.assign(target.url);
}

input.addEventListener("input", () => {
  window.clearTimeout(timer);
  timer = window.setTimeout(update, 120);
});
input.addEventListener("focus", () => {
  load().catch(() => {});
  if (input.value.trim() && options.length) open(true);
});
input.addEventListener("keydown", (event) => {
  const isOpen = !popup.hidden;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (!isOpen) {
      if (input.value.trim()) update();
      event.preventDefault();
      return;
    }
    const step = event.key === "ArrowDown" ? 1 : -1;
    const next = active + step;
    setActive(next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
    event.preventDefault();
  } else if (event.key === "Enter" && isOpen && active >= 0) {
    event.preventDefault();
    go(active);
  } else if (event.key === "Escape") {
    if (isOpen) open(false);
    else if (input.value) input.value = "";
    event.preventDefault();
  } else if (event.key === "Tab") {
    open(false);
  }
});
list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
list.addEventListener("click", (event) => {
  const node = event.target.closest("[role=option]");
  if (node) go(options.findIndex((o) => o.id === node.id));
});
form.addEventListener("focusout", (event) => {
  if (!form.contains(event.relatedTarget)) open(false);
});
