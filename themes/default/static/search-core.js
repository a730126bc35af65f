// The ranking layer over Pagefind, shared by the search page, the header dropdown and
// benchmarks/search_quality.py. A query is normalised (punctuation inside a token is dropped, as
// Pagefind does when it indexes "N+1" or "asyncio.gather"), expanded with the synonyms of site.yml,
// stripped of stop words ("why do my retries ..." -> "retries ..."), and searched in two tiers:
//   1 all words   every word (or a synonym of it) must match, Pagefind's own semantics; a word that neither
//                 the vocabulary of titles and headings nor the best lessons found hold is also tried as the
//                 nearest word of the vocabulary (a typo)
//   2 any word    only when tier 1 found fewer than FEW lessons: lessons with any of the words, those
//                 with more of them first, ranked after tier 1's
// The best results of tier 1 are then re-scored with their titles and phrases (see rerank).
export const FEW = 3;
// Pagefind's ranking options, chosen with benchmarks/search_quality.py (see README, Search).
export const RANKING = { termSimilarity: 2.0 };
const SYNONYM_DISCOUNT = 0.9; // a lesson that matches the words typed ranks above one matching a synonym
const RERANK = 12; // how many of the best results are re-scored with their titles
const TITLE_BOOST = 1.6; // every query word is in the lesson's title (a share of them: a share of it)
const PHRASE_BOOST = 1.3; // the query's words stand together in the lesson, in the order typed
const MAX_VARIANTS = 8;

export const STOP_WORDS = new Set(
  ("a an and are as at be but by can do does for from get had has have how i if in into is it its make makes me " +
    "my not of on or our should so than that the their them then there these they this to too up use using was " +
    "we what when where which while who why will with without you your vs versus").split(" "),
);

export function tokens(text) {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
}

// Every way of writing the query with synonyms: the query itself first.
export function variants(words, groups) {
  const out = [{ words, synonym: false }];
  const seen = new Set([words.join(" ")]);
  for (const group of groups) {
    for (const phrase of group) {
      for (let at = 0; at + phrase.length <= words.length; at++) {
        if (!phrase.every((word, i) => words[at + i] === word)) continue;
        for (const other of group) {
          if (other === phrase) continue;
          const next = [...words.slice(0, at), ...other, ...words.slice(at + phrase.length)];
          const key = next.join(" ");
          if (seen.has(key) || out.length >= MAX_VARIANTS) continue;
          seen.add(key);
          out.push({ words: next, synonym: true });
        }
      }
    }
  }
  return out;
}

// Levenshtein distance with an early exit above `limit`.
function distance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], previous[j - 2] + 1);
      best = Math.min(best, row[j]);
    }
    if (best > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length];
}

export function nearestWord(word, vocabulary) {
  if (word.length < 4 || /\d/.test(word) || vocabulary.has(word)) return word;
  const limit = word.length <= 5 ? 1 : 2;
  let best = word;
  let bestDistance = limit + 1;
  for (const known of vocabulary) {
    const d = distance(word, known, limit);
    if (d < bestDistance || (d === bestDistance && d <= limit && known < best)) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : word;
}

// The sections of a lesson that matched best (Pagefind sub-results with a heading anchor), in page order.
export function bestSections(data, count) {
  const weight = (sub) => (sub.weighted_locations || []).reduce((sum, loc) => sum + loc.balanced_score, 0);
  const anchored = (data.sub_results || []).filter((sub) => sub.anchor && sub.url.includes("#"));
  const best = new Set([...anchored].sort((a, b) => weight(b) - weight(a)).slice(0, count));
  return anchored.filter((sub) => best.has(sub));
}

// "retry" and "retries", "cache" and "caching": a crude stemmer is enough to compare with a title.
function sameWord(a, b) {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 3) return false; // "async" is not "asynciogather"
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return common >= Math.max(4, Math.min(a.length, b.length) - 2);
}

// Pagefind's JS API from the bundle, with kb's ranking options; `options` adds to or overrides them.
export async function openIndex(bundleUrl, baseUrl, options = {}) {
  const pagefind = await import(bundleUrl + "pagefind.js");
  await pagefind.options({ baseUrl, ranking: RANKING, ...options });
  pagefind.init();
  return pagefind;
}

export class LessonSearch {
  constructor(pagefind, { synonyms = [], vocabularyUrl = null } = {}) {
    this.pagefind = pagefind;
    this.groups = synonyms.map((group) => group.map(tokens).filter((words) => words.length));
    this.vocabularyUrl = vocabularyUrl;
    this.vocabulary = null;
  }

  async loadVocabulary() {
    if (this.vocabulary) return this.vocabulary;
    let words = [];
    try {
      if (this.vocabularyUrl) words = await (await fetch(this.vocabularyUrl)).json();
    } catch (error) {
      words = [];
    }
    this.vocabulary = new Set(words);
    return this.vocabulary;
  }

  // Lessons with any of the words: more words matched first, then the sum of their scores.
  async searchAny(words) {
    const merged = new Map();
    for (const word of new Set(words)) {
      for (const hit of await this.searchAll([[word]])) {
        const entry = merged.get(hit.id) || { id: hit.id, score: 0, matched: 0, result: hit.result };
        entry.score += hit.score;
        entry.matched += 1;
        merged.set(hit.id, entry);
      }
    }
    return [...merged.values()].sort((a, b) => b.matched - a.matched || b.score - a.score);
  }

  // Ranked lessons for a query: {results: [{id, score, tier, result, data?}], words, corrected}.
  async search(query) {
    const words = tokens(query);
    const content = words.filter((word) => !STOP_WORDS.has(word));
    const meaningful = content.length ? content : words;
    const ranked = [];
    const seen = new Set();
    const add = (hits, tier) => {
      for (const hit of hits) {
        if (seen.has(hit.id)) continue;
        seen.add(hit.id);
        ranked.push({ ...hit, tier });
      }
    };
    if (!words.length) return { results: ranked, words, corrected: null };
    const vocabulary = await this.loadVocabulary();
    let hits = await this.searchAll([words]);
    // A word is a typo when neither the vocabulary nor the best lessons found for it hold it (Pagefind
    // matches "idempotncy" loosely, so some lessons come back; none of them contains the word).
    const found = new Set();
    for (const data of await Promise.all(hits.slice(0, RERANK).map((hit) => hit.result.data()))) {
      for (const word of tokens(data.content || "")) found.add(word);
    }
    const corrected = meaningful.map((word) => (found.has(word) ? word : nearestWord(word, vocabulary)));
    const typo = corrected.some((word, i) => word !== meaningful[i]);
    const lists = [words, ...(typo ? [corrected] : [])];
    if (typo) hits = await this.searchAll(lists);
    add(await this.rerank(hits, lists), 1);
    if (ranked.length < FEW && meaningful.length > 1) add(await this.searchAny(corrected), 2);
    return { results: ranked, words, corrected: typo ? corrected.join(" ") : null };
  }

  // Lessons with all the words of one of the lists (the query, its typo-corrected form), each list with
  // its synonyms: the best-scoring way of matching is kept for each lesson.
  async searchAll(lists) {
    const scores = new Map();
    for (const [index, words] of lists.entries()) {
      for (const variant of variants(words, this.groups)) {
        const content = variant.words.filter((word) => !STOP_WORDS.has(word));
        const found = await this.pagefind.search((content.length ? content : variant.words).join(" "));
        if (!found) continue;
        const discount = variant.synonym || index > 0 ? SYNONYM_DISCOUNT : 1;
        for (const result of found.results) {
          const score = result.score * discount;
          const known = scores.get(result.id);
          // The first way that found a lesson (the words as typed, when they did) supplies its highlights.
          if (!known) scores.set(result.id, { id: result.id, score, result });
          else known.score = Math.max(known.score, score);
        }
      }
    }
    return [...scores.values()].sort((a, b) => b.score - a.score);
  }

  // The best few results re-scored with what Pagefind's per-word scores do not see: how many of the
  // query's words (or their synonyms) the title holds, and whether the words occur together as typed.
  async rerank(hits, lists) {
    const head = hits.slice(0, RERANK);
    const wanted = lists.flatMap((words) =>
      variants(words, this.groups).map((variant) => variant.words.filter((w) => !STOP_WORDS.has(w))),
    ).filter((list) => list.length);
    await Promise.all(
      head.map(async (hit) => {
        const data = await hit.result.data();
        hit.data = data;
        const title = tokens((data.meta && data.meta.title) || "");
        const inTitle = (word) => title.some((known) => sameWord(word, known));
        const share = Math.max(0, ...wanted.map((list) => list.filter(inTitle).length / list.length));
        hit.score *= 1 + (TITLE_BOOST - 1) * share;
        const text = tokens(data.content || "").filter((word) => !STOP_WORDS.has(word)).join(" ");
        if (wanted.some((list) => list.length > 1 && ` ${text} `.includes(` ${list.join(" ")} `))) hit.score *= PHRASE_BOOST;
      }),
    );
    head.sort((a, b) => b.score - a.score);
    return [...head, ...hits.slice(RERANK)];
  }
}
