// The search page: Pagefind full-text search with topic, skill and level facets.
// The query and the filters live in the URL (?q=...&skill=...), so a search can be shared and Back works.
const FACETS = ["topic", "skill", "level"];
const PAGE_SIZE = 10;

const app = document.getElementById("search-app");
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

let pagefind = null;
let allFilters = {};
let sequence = 0;
let shown = 0;
let current = [];

function readState() {
  const params = new URLSearchParams(window.location.search);
  const state = { q: (params.get("q") || "").trim() };
  for (const facet of FACETS) state[facet] = params.getAll(facet);
  return state;
}

function writeState(state, push) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const facet of FACETS) for (const value of state[facet]) params.append(facet, value);
  const query = params.toString();
  const url = window.location.pathname + (query ? "?" + query : "");
  if (url === window.location.pathname + window.location.search) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

function formState() {
  const state = { q: input.value.trim() };
  for (const facet of FACETS) {
    state[facet] = Array.from(app.querySelectorAll(`input[data-facet="${facet}"]:checked`), (box) => box.value);
  }
  return state;
}

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function renderFacets(state, counts) {
  for (const facet of FACETS) {
    const box = app.querySelector(`fieldset[data-facet="${facet}"] .facet-options`);
    const values = Object.keys(allFilters[facet] || {}).sort((a, b) => a.localeCompare(b));
    box.replaceChildren(
      ...values.map((value, index) => {
        const id = `facet-${facet}-${index}`;
        const count = counts && counts[facet] ? counts[facet][value] || 0 : allFilters[facet][value];
        const checkbox = element("input", { type: "checkbox", id, value, "data-facet": facet });
        checkbox.checked = state[facet].includes(value);
        const label = element("label", { for: id }, [value + " ", element("span", { class: "count", text: `(${count})` })]);
        return element("div", { class: "facet-option" }, [checkbox, label]);
      }),
    );
    box.closest("fieldset").hidden = values.length === 0;
  }
}

function chipList(kind, values) {
  return element("ul", { class: "chips" }, (values || []).map((v) => element("li", {}, [element("span", { class: `chip chip-${kind}`, text: v })])));
}

async function showMore(token) {
  const slice = current.slice(shown, shown + PAGE_SIZE);
  const pages = await Promise.all(slice.map((result) => result.data()));
  if (token !== sequence) return;
  for (const page of pages) {
    const meta = page.meta || {};
    const excerpt = element("p", { class: "excerpt" });
    excerpt.innerHTML = page.excerpt; // Pagefind escapes the text and adds only <mark> around matches
    const title = element("a", { href: page.url, text: meta.title || page.url });
    const item = element("li", { class: "result" }, [
      element("h2", { class: "result-title" }, [title]),
      excerpt,
      chipList("topic", page.filters.topic),
      chipList("skill", page.filters.skill),
    ]);
    if (meta.date) item.append(element("p", { class: "meta" }, [element("time", { datetime: meta.date, text: meta.date })]));
    list.append(item);
  }
  shown += slice.length;
  more.hidden = shown >= current.length;
}

async function run(state) {
  const token = ++sequence;
  if (input.value.trim() !== state.q) input.value = state.q;
  if (!pagefind) return;
  const filters = {};
  for (const facet of FACETS) if (state[facet].length) filters[facet] = { any: state[facet] };
  const active = state.q || Object.keys(filters).length;
  if (!active) {
    renderFacets(state, null);
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Type a few words, or choose a topic, skill or level.";
    return;
  }
  const search = await pagefind.search(state.q || null, { filters, sort: state.q ? {} : { date: "desc" } });
  if (token !== sequence || !search) return;
  current = search.results;
  shown = 0;
  list.replaceChildren();
  renderFacets(state, search.filters);
  await showMore(token);
  if (token !== sequence) return;
  const n = current.length;
  status.textContent = n === 0 ? "No lessons match." : `${n} lesson${n === 1 ? "" : "s"} found.`;
}

let timer = 0;
function onInput() {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    const state = formState();
    writeState(state, false);
    run(state);
  }, 200);
}

async function start() {
  // Listen at once, so words typed while the index loads are kept and searched when it is ready.
  input.addEventListener("input", onInput);
  try {
    const loaded = await import(app.dataset.bundle + "pagefind.js");
    await loaded.options({ baseUrl: app.dataset.base, excerptLength: 24 });
    loaded.init();
    allFilters = await loaded.filters();
    pagefind = loaded;
  } catch (error) {
    status.textContent = "The search index is not available on this copy of the site.";
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const state = formState();
    writeState(state, true);
    run(state);
  });
  app.addEventListener("change", (event) => {
    if (!event.target.matches("input[data-facet]")) return;
    const state = formState();
    writeState(state, true);
    run(state);
  });
  more.addEventListener("click", () => showMore(sequence));
  window.addEventListener("popstate", () => run(readState()));
  const initial = readState();
  if (!initial.q && input.value.trim()) {
    initial.q = input.value.trim();
    writeState(initial, false);
  }
  await run(initial);
  app.dataset.ready = "true";
}

start();
