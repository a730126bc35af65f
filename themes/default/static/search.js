// The search page: ranked lessons (search-core.js over Pagefind) with topic, skill, level facets and one for
// each of the site's own taxonomies (the page's fieldsets name them, as Pagefind filters).
// Facets: OR within a facet, AND across facets. A count is the number of lessons the results would hold if
// that box were ticked (for a ticked box: the lessons it contributes). All state lives in the URL.
const FACETS = Array.from(document.querySelectorAll("#search-facets fieldset[data-facet]"), (set) => set.dataset.facet);
const LEVELS = ["beginner", "intermediate", "advanced"];
const PAGE_SIZE = 10;
const SECTIONS = 3; // matching sections shown under a result

const app = document.getElementById("search-app");
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const panel = document.getElementById("search-facets");
const toggle = document.getElementById("filters-toggle");
const clear = document.getElementById("clear-filters");

let pagefind = null;
let bestSections = null;
let engine = null;
let allFilters = {};
const members = {}; // facet -> value -> Set of page ids
let byDate = []; // every lesson, newest first: the list filters narrow when there is no query
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
    state[facet] = Array.from(panel.querySelectorAll(`input[data-facet="${facet}"]:checked`), (box) => box.value);
  }
  return state;
}

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value; // only Pagefind excerpts: escaped text and <mark>
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function orderedValues(facet) {
  const values = Object.keys(allFilters[facet] || {});
  if (facet === "level") return LEVELS.filter((v) => values.includes(v)).concat(values.filter((v) => !LEVELS.includes(v)));
  return values.sort((a, b) => a.localeCompare(b));
}

function inFacet(id, facet, values) {
  return values.some((value) => members[facet][value] && members[facet][value].has(id));
}

function matches(id, state, except) {
  return FACETS.every((facet) => facet === except || !state[facet].length || inFacet(id, facet, state[facet]));
}

// What ticking each box would give: OR within the facet, AND with the other facets.
function facetCounts(hits, state) {
  const counts = {};
  for (const facet of FACETS) {
    counts[facet] = {};
    const base = hits.filter((hit) => matches(hit.id, state, facet));
    const selected = state[facet];
    for (const value of orderedValues(facet)) {
      const set = members[facet][value] || new Set();
      counts[facet][value] =
        !selected.length || selected.includes(value)
          ? base.filter((hit) => set.has(hit.id)).length
          : base.filter((hit) => set.has(hit.id) || inFacet(hit.id, facet, selected)).length;
    }
  }
  return counts;
}

function activeCount(state) {
  return FACETS.reduce((sum, facet) => sum + state[facet].length, 0);
}

// narrowed: a query or a filter is active, so values that would give no lesson, or add none to a facet
// that already has a tick, are left out.
function renderFacets(state, counts, narrowed, total = 0) {
  const focused = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.id : null;
  for (const facet of FACETS) {
    const box = panel.querySelector(`fieldset[data-facet="${facet}"] .facet-options`);
    const options = [];
    orderedValues(facet).forEach((value, index) => {
      const count = counts[facet][value];
      const checked = state[facet].includes(value);
      if (narrowed && !checked && (count === 0 || (state[facet].length && count === total))) return;
      const id = `facet-${facet}-${index}`;
      const checkbox = element("input", { type: "checkbox", id, value, "data-facet": facet });
      checkbox.checked = checked;
      const label = element("label", { for: id }, [value + " ", element("span", { class: "count", text: `(${count})` })]);
      options.push(element("div", { class: "facet-option" }, [checkbox, label]));
    });
    box.replaceChildren(...options);
    box.closest("fieldset").hidden = options.length === 0;
  }
  const active = activeCount(state);
  toggle.querySelector(".filters-count").textContent = active ? ` (${active})` : "";
  clear.hidden = active === 0;
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  else if (focused) panel.focus();
}

function chip(kind, text) {
  return element("li", {}, [element("span", { class: `chip chip-${kind}`, text })]);
}

function renderResult(data, withSections) {
  const meta = data.meta || {};
  const filters = data.filters || {};
  const item = element("li", { class: "result" }, [
    element("h2", { class: "result-title" }, [element("a", { href: data.url, text: meta.title || data.url })]),
  ]);
  const sections = withSections ? bestSections(data, SECTIONS) : [];
  // The summary says what the lesson is about; the matching sections (or, with none, the page's own
  // excerpt) show where the words are.
  if (meta.summary) item.append(element("p", { class: "summary", text: meta.summary }));
  if (withSections && !sections.length) item.append(element("p", { class: "excerpt", html: data.excerpt }));
  if (sections.length) {
    item.append(
      element(
        "ul",
        { class: "result-sections", "aria-label": `Matching sections of ${meta.title || "this lesson"}` },
        sections.map((sub) =>
          element("li", {}, [
            element("a", { href: sub.url, text: sub.title }),
            element("p", { class: "excerpt", html: sub.excerpt }),
          ]),
        ),
      ),
    );
  }
  const details = element("div", { class: "result-details" });
  if (meta.date) details.append(element("p", { class: "meta" }, [element("time", { datetime: meta.date, text: meta.date_text || meta.date })]));
  const chips = element(
    "ul",
    { class: "chips", "aria-label": "Topics, skills and level" },
    FACETS.flatMap((facet) => (filters[facet] || []).map((v) => chip(facet, v))),
  );
  details.append(chips);
  item.append(details);
  return item;
}

async function showMore(token, withSections) {
  const slice = current.slice(shown, shown + PAGE_SIZE);
  const pages = await Promise.all(slice.map((hit) => hit.data || hit.result.data()));
  if (token !== sequence) return null;
  const items = pages.map((data) => renderResult(data, withSections));
  list.append(...items);
  shown += slice.length;
  more.hidden = shown >= current.length;
  return items[0] || null;
}

async function run(state) {
  const token = ++sequence;
  app.setAttribute("aria-busy", "true");
  try {
    await update(state, token);
  } finally {
    if (token === sequence) app.removeAttribute("aria-busy");
  }
}

async function update(state, token) {
  if (input.value.trim() !== state.q) input.value = state.q;
  if (!pagefind) return;
  const active = activeCount(state);
  let hits;
  let found = null;
  if (state.q) {
    found = await engine.search(state.q);
    if (token !== sequence) return;
    hits = found.results;
  } else {
    hits = byDate;
  }
  if (!state.q && !active) {
    const counts = {};
    for (const facet of FACETS) counts[facet] = { ...allFilters[facet] };
    renderFacets(state, counts, false);
    current = [];
    if (list.contains(document.activeElement)) input.focus();
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Type a few words, or choose a topic, skill or level.";
    return;
  }
  current = hits.filter((hit) => matches(hit.id, state, null));
  shown = 0;
  if (list.contains(document.activeElement)) input.focus(); // the focused result is about to go
  list.replaceChildren();
  renderFacets(state, facetCounts(hits, state), true, current.length);
  await showMore(token, Boolean(state.q));
  if (token !== sequence) return;
  const n = current.length;
  let text = n === 0 ? "No lessons match." : `${n} lesson${n === 1 ? "" : "s"} found.`;
  if (found && found.corrected && n) text += ` Showing matches for “${found.corrected}” too.`;
  if (n === 0 && active) text += " Try clearing the filters.";
  status.textContent = text;
}

let timer = 0;
function onInput() {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    const state = formState();
    writeState(state, false);
    run(state);
  }, 150);
}

function resultLinks() {
  return Array.from(list.querySelectorAll("a"));
}

// Arrow keys walk the result links from the box and back; Escape returns to the box, then clears it,
// and closes an open filter panel (phones), giving the focus back to its toggle.
function onKeydown(event) {
  const links = resultLinks();
  const at = links.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && (event.target === input || at >= 0)) {
    if (at + 1 < links.length) links[at + 1].focus();
    event.preventDefault();
  } else if (event.key === "ArrowUp" && at >= 0) {
    if (at === 0) input.focus();
    else links[at - 1].focus();
    event.preventDefault();
  } else if (event.key === "Escape" && at >= 0) {
    input.focus();
    event.preventDefault();
  } else if (event.key === "Escape" && panel.contains(event.target) && app.classList.contains("filters-open")) {
    setPanel(false);
    toggle.focus();
    event.preventDefault();
  } else if (event.key === "Escape" && event.target === input && input.value) {
    input.value = "";
    onInput();
    event.preventDefault();
  }
}

function setPanel(open) {
  app.classList.toggle("filters-open", open);
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
}

async function loadFacets() {
  allFilters = await pagefind.filters();
  const jobs = [];
  for (const facet of FACETS) {
    members[facet] = {};
    for (const value of Object.keys(allFilters[facet] || {})) {
      jobs.push(
        pagefind.search(null, { filters: { [facet]: [value] } }).then((found) => {
          members[facet][value] = new Set(found.results.map((result) => result.id));
        }),
      );
    }
  }
  jobs.push(
    pagefind.search(null, { sort: { date: "desc" } }).then((found) => {
      byDate = found.results.map((result) => ({ id: result.id, result }));
    }),
  );
  await Promise.all(jobs);
}

async function start() {
  // Listen at once, so words typed while the index loads are kept and searched when it is ready.
  input.addEventListener("input", onInput);
  app.addEventListener("keydown", onKeydown);
  toggle.hidden = false;
  toggle.addEventListener("click", () => setPanel(toggle.getAttribute("aria-expanded") !== "true"));
  document.getElementById("filters-done").addEventListener("click", () => {
    setPanel(false);
    toggle.focus();
    toggle.scrollIntoView({ block: "nearest" });
  });
  try {
    const core = await import(app.dataset.core);
    bestSections = core.bestSections;
    const loaded = await core.openIndex(app.dataset.bundle, app.dataset.base, { excerptLength: 24 });
    const header = document.querySelector("form.header-search");
    engine = new core.LessonSearch(loaded, {
      synonyms: JSON.parse((header && header.dataset.synonyms) || "[]"),
      vocabularyUrl: app.dataset.bundle + "kb-vocabulary.json",
    });
    pagefind = loaded;
    await loadFacets();
  } catch (error) {
    pagefind = null;
    status.textContent = "The search index is not available on this copy of the site.";
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const state = formState();
    writeState(state, true);
    run(state);
  });
  panel.addEventListener("change", (event) => {
    if (!event.target.matches("input[data-facet]")) return;
    const state = formState();
    writeState(state, true);
    run(state);
  });
  clear.addEventListener("click", async () => {
    for (const box of panel.querySelectorAll("input[data-facet]:checked")) box.checked = false;
    const state = formState();
    writeState(state, true);
    panel.focus();
    await run(state);
  });
  more.addEventListener("click", async () => {
    const first = await showMore(sequence, Boolean(input.value.trim()));
    if (first) first.querySelector("a").focus();
  });
  window.addEventListener("popstate", () => run(readState()));
  const initial = readState();
  if (!initial.q && input.value.trim()) {
    initial.q = input.value.trim();
    writeState(initial, false);
  }
  if (initial.q && window.matchMedia("(pointer: fine)").matches) input.focus({ preventScroll: true });
  await run(initial);
  app.dataset.ready = "true";
}

start();
