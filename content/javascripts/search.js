/* Site search: Material's header search box, answered by Pagefind from the site's own pagefind/ folder.

   The query is cut into words by the rules qingdan/site/search_index.py indexed the text with
   (Chinese character pairs, other words lowercased: queryWords below is the twin of query_words there).
   Pagefind indexes records in groups, one heading per record with the record's address as its id,
   after the words all of the group's records hold; a record is a result when it (or those words)
   holds every word of the query. Everyday words (生孩子) are read with the terms the registry's
   thesaurus gives them (生育; pagefind/thesaurus.json, see qingdan/thesaurus.py): a record holding
   either answers, and the result says which term found it (按“生孩子”找到“生育”).

   After a rebuild, the groups changed since the main index was written are in an overlay index
   (pagefind/overlay/, listed in pagefind/overlay.json, see qingdan/site/search_index.py): it is
   merged in, and the main index's pages it replaces are dropped. Results are ordered by what the
   pages hold, never by Pagefind's scores, which each index computes on its own words: a search
   answers in the same order with or without an overlay. */
(() => {
  "use strict";
  const CJK_RUNS = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/;
  const OTHER_WORD = /[\p{L}\p{N}]+/gu;
  const STEP = 10; // results shown at a time
  const SECTIONS = [["guides/", "办事指南"], ["agencies/", "机构"], ["boundaries/", "职责边界"]];

  // A query's Chinese runs cut into pairs side by side (an odd run's last pair overlaps), other words
  // lowercased, without duplicates: the twin of query_words in qingdan/site/search_index.py.
  function queryWords(text) {
    const words = [];
    (text || "").normalize("NFKC").split(CJK_RUNS).forEach((piece, i) => {
      if (i % 2) {
        const chars = [...piece];
        if (chars.length < 3) words.push(piece);
        else {
          for (let k = 0; k + 1 < chars.length; k += 2) words.push(chars[k] + chars[k + 1]);
          if (chars.length % 2) words.push(chars.slice(-2).join(""));
        }
      } else {
        for (const match of piece.matchAll(OTHER_WORD)) words.push(match[0].toLowerCase());
      }
    });
    return [...new Set(words)];
  }
  window.qingdanQueryWords = queryWords; // for the tests, which compare it with the Python twin

  // The thesaurus as pagefind/thesaurus.json holds it (qingdan/thesaurus.py browser_table): the
  // words standing for the same terms, space-separated, with those terms; the question words left out.
  function formsOf(table) {
    const forms = new Map();
    for (const [words, terms] of (table && table.forms) || []) {
      for (const word of words.split(" ")) forms.set(word, terms.split(" "));
    }
    return forms;
  }

  // The text cut at the thesaurus's words, [piece, isWord], left to right, the longest word at each
  // place first; `skip` words left out: the twin of spot in qingdan/thesaurus.py.
  function spotWords(text, forms, skip) {
    const chars = Array.from(text);
    let longest = 0;
    for (const word of [...forms.keys(), ...skip]) longest = Math.max(longest, Array.from(word).length);
    const out = [];
    let plain = "";
    let i = 0;
    while (i < chars.length) {
      let size = Math.min(longest, chars.length - i);
      for (; size > 0; size--) {
        const piece = chars.slice(i, i + size).join("");
        if ((size > 1 && forms.has(piece)) || skip.has(piece)) {
          if (plain) out.push([plain, false]);
          plain = "";
          if (size > 1 && forms.has(piece)) out.push([piece, true]);
          i += size;
          break;
        }
      }
      if (size === 0) plain += chars[i++];
    }
    if (plain) out.push([plain, false]);
    return out;
  }

  // A query as groups of alternatives ({form, words}): a thesaurus word, then each of its terms;
  // a lone Chinese character between words dropped when there is more: the twin of query_groups
  // in qingdan/site/search_index.py.
  function queryGroups(text, table) {
    const forms = formsOf(table);
    const skip = new Set(((table && table.skip) || "").split(" ").filter(Boolean));
    const groups = [];
    const lone = new Set();
    for (const [piece, isWord] of spotWords((text || "").normalize("NFKC"), forms, skip)) {
      if (isWord) {
        groups.push([piece, ...forms.get(piece)].map((form) => ({ form, words: queryWords(form) })));
        continue;
      }
      for (const word of queryWords(piece)) {
        if (word.length === 1 && CJK_RUNS.test(word)) lone.add(groups.length);
        groups.push([{ form: word, words: [word] }]);
      }
    }
    return lone.size < groups.length ? groups.filter((_, i) => !lone.has(i)) : groups;
  }
  window.qingdanQueryGroups = queryGroups; // for the tests (and node), which compare it with Python's

  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const toggle = document.getElementById("__search");
  const input = document.querySelector(".md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  const list = document.querySelector(".md-search-result__list");
  if (!toggle || !input || !meta || !list) return;

  // The overlay's list; none (an older site) is an empty one.
  async function overlayList() {
    try {
      const response = await fetch(new URL("pagefind/overlay.json", base), { cache: "no-cache" });
      if (response.ok) return await response.json();
    } catch (error) {
      console.warn("qingdan: no search overlay list", error);
    }
    return { merge: false, hidden: [], pages: 0 };
  }

  // The thesaurus (pagefind/thesaurus.json); none (an older site) is an empty one.
  async function thesaurus() {
    try {
      const response = await fetch(new URL("pagefind/thesaurus.json", base));
      if (response.ok) return await response.json();
    } catch (error) {
      console.warn("qingdan: no thesaurus", error);
    }
    return { forms: [], skip: "" };
  }

  let engine = null;
  function pagefind() {
    if (engine) return engine;
    const loaded = Promise.all([import(new URL("pagefind/pagefind.js", base).href), overlayList(), thesaurus()]);
    engine = loaded.then(async ([pf, overlay, table]) => {
      // in this page's thread: a web worker would be one more script to download (41 KB) on first search
      await pf.options({ noWorker: true });
      // Pagefind takes the language of the page (zh) and would cut the query with Intl.Segmenter
      // (北省 → 北 省); the index's language is `und`, words as queryWords cuts them. It reads the
      // language when init() starts, so the page says `und` for that moment only.
      const html = document.documentElement;
      const language = html.lang;
      html.lang = "und";
      const ready = pf.init();
      html.lang = language;
      await ready;
      if (overlay.merge) await pf.mergeIndex(new URL("pagefind/overlay/", base).href, { language: "und" });
      return { pf, hidden: new Set(overlay.hidden), pages: overlay.pages, table };
    });
    return engine;
  }

  const count = (locations, from, to) => (locations || []).filter((l) => l >= from && l < to).length;

  // Which alternative of each query group a place holds (`n(word)`: how often the place holds a
  // word): the first whose every word it holds, or -1.
  const held = (groups, n) => groups.map((group) => group.findIndex((alt) => alt.words.every((w) => n(w) > 0)));

  // The records of one indexed group that hold what the search needs: [{url, title, hits, via}].
  // `via` says which everyday word found the record through which term (按“生孩子”找到“生育”).
  async function recordsOf(group, s) {
    const data = await group.data();
    const anchors = data.anchors.filter((a) => /^h\d$/i.test(a.element) && a.id).sort((a, b) => a.location - b.location);
    const found = [];
    // the words before the first heading are those every record of the group holds
    const first = anchors[0]?.location;
    const shared = new Map(s.words.map((w) => [w, count(s.byWord.get(w).get(group.id), -Infinity, first)]));
    anchors.forEach((anchor, i) => {
      const end = i + 1 < anchors.length ? anchors[i + 1].location : Infinity;
      const n = (w) => shared.get(w) + count(s.byWord.get(w).get(group.id), anchor.location, end);
      const which = held(s.groups, n);
      const url = new URL(anchor.id, base);
      if (which.filter((k, g) => k >= 0 && s.counted[g]).length >= s.need && url.origin === base.origin) {
        const via = which
          .map((k, g) => (k > 0 ? `按“${s.groups[g][0].form}”找到“${s.groups[g][k].form}”` : ""))
          .filter(Boolean);
        const hits = s.words.reduce((sum, w) => sum + n(w), 0);
        found.push({ url: url.href, path: anchor.id, title: anchor.text, hits, via });
      }
    });
    return found;
  }

  // A search: the indexed pages ("groups") holding, for every group of the query, every word of one
  // of its alternatives, best first (none: those holding most of its thesaurus words' groups), and
  // each word's locations in them. A page in both indexes (unchanged in an overlaid group) has the same id in each; the
  // main index's pages the overlay replaces are dropped.
  async function prepare(query) {
    const { pf, hidden, pages, table } = await pagefind();
    const groups = queryGroups(query, table);
    if (!groups.length) return null;
    const words = [...new Set(groups.flatMap((group) => group.flatMap((alt) => alt.words)))];
    const byWord = new Map();
    const byId = new Map();
    for (const word of words) {
      const single = await pf.search(word);
      const kept = single.results.filter((r) => !hidden.has(r.id));
      kept.forEach((r) => byId.set(r.id, r));
      byWord.set(word, new Map(kept.map((r) => [r.id, r.words])));
    }
    // a result must hold every group (Pagefind leaves out a word it does not know); when no page
    // does, a question asked in everyday words (生孩子能报销吗) is answered by the pages holding the
    // most of its thesaurus words' groups, the other words left out; a question without any, by none
    const holding = new Map([...byId.keys()].map((id) => [id, held(groups, (w) => (byWord.get(w).has(id) ? 1 : 0))]));
    const every = groups.map(() => true);
    const thesaurusWords = groups.map((group) => group.length > 1);
    const heldCount = (id, counted) => holding.get(id).filter((k, g) => k >= 0 && counted[g]).length;
    let counted = every;
    let need = groups.length;
    if (![...byId.keys()].some((id) => heldCount(id, every) === need)) {
      counted = thesaurusWords;
      need = Math.max(0, ...[...byId.keys()].map((id) => heldCount(id, counted)));
    }
    const empty = { query: query.trim(), groups, words, byWord, need, counted, pages: [], next: 0, records: [] };
    if (!need) return empty;
    const ids = [...byId.keys()].filter((id) => heldCount(id, counted) >= need);
    // BM25 without page lengths, from the words' locations and how many pages hold each word
    // (counted over both indexes, as one index would): the same score whichever index a page is in;
    // a query group counts by the alternative the page holds
    const weight = new Map(
      words.map((w) => {
        const n = byWord.get(w).size;
        return [w, Math.log(1 + (Math.max(pages, n) - n + 0.5) / (n + 0.5))];
      }),
    );
    const score = (id) =>
      holding.get(id).reduce((sum, k, g) => {
        if (k < 0) return sum;
        return (
          sum +
          groups[g][k].words.reduce((part, w) => {
            const n = byWord.get(w).get(id).length;
            return part + (weight.get(w) * n * 2.2) / (n + 1.2);
          }, 0)
        );
      }, 0);
    const scores = new Map(ids.map((id) => [id, score(id)]));
    ids.sort((a, b) => scores.get(b) - scores.get(a) || (a < b ? -1 : a > b ? 1 : 0));
    return { ...empty, pages: ids.map((id) => byId.get(id)) };
  }

  // Read groups until `count` records are found or none are left; names holding the whole query
  // first, then the best groups, then the records with most hits.
  async function collect(s, count) {
    while (s.records.length < count && s.next < s.pages.length) {
      const first = s.next;
      const batch = s.pages.slice(first, first + 4);
      s.next += batch.length;
      const found = await Promise.all(batch.map((group) => recordsOf(group, s)));
      found.forEach((records, i) => records.forEach((r) => s.records.push({ ...r, rank: first + i })));
    }
    const named = (r) => (r.title.includes(s.query) ? 0 : 1);
    // how many of the query's groups the title names, in any of their forms (生育 for 生孩子): as
    // who_handles ranks (qingdan.search.rank_key), a record named by the question first
    const titled = (r) => s.groups.filter((group) => group.some((alt) => r.title.includes(alt.form))).length;
    s.records.forEach((r) => (r.titled ??= titled(r)));
    s.records.sort((a, b) => named(a) - named(b) || b.titled - a.titled || a.rank - b.rank || b.hits - a.hits);
  }

  // Every record a query finds (the recall test compares them with the database's answers).
  window.qingdanFind = async (query) => {
    const s = await prepare(query);
    if (!s) return [];
    await collect(s, Infinity);
    return s.records.map((r) => r.path);
  };
  // The same, with how each record was found (the tests read `via`).
  window.qingdanSearch = async (query) => {
    const s = await prepare(query);
    if (!s) return [];
    await collect(s, Infinity);
    return s.records.map((r) => ({ path: r.path, title: r.title, via: r.via }));
  };

  let current = 0; // the latest search; older ones stop when a newer one starts
  let state = null;

  async function search(query) {
    const id = ++current;
    list.replaceChildren();
    meta.textContent = "正在搜索……";
    const s = await prepare(query);
    if (id !== current) return;
    state = s;
    if (!s) {
      meta.textContent = "请输入要查找的事项、机构或岗位";
      return;
    }
    Object.assign(s, { id, shown: STEP });
    await more();
  }

  async function more() {
    const s = state;
    await collect(s, s.shown);
    if (s.id === current) render(s);
  }

  function render(s) {
    const done = s.next >= s.pages.length;
    const shown = s.records.slice(0, s.shown);
    meta.textContent = !s.records.length
      ? "没有找到符合条件的结果"
      : done && s.records.length <= s.shown
        ? `找到 ${s.records.length} 个结果`
        : `显示前 ${shown.length} 个结果`;
    list.replaceChildren(...shown.map(item));
    if (!done || s.records.length > s.shown) {
      const li = document.createElement("li");
      li.className = "md-search-result__item qd-search-more";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.textContent = "显示更多结果";
      button.addEventListener("click", () => {
        s.shown += STEP;
        more();
      });
      li.append(button);
      list.append(li);
    }
  }

  function item(record) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = record.url;
    link.addEventListener("click", () => (toggle.checked = false));
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const title = document.createElement("h1");
    title.textContent = record.title;
    const section = document.createElement("p");
    section.textContent = (SECTIONS.find(([prefix]) => record.path.startsWith(prefix)) || ["", "页面"])[1];
    article.append(title, section);
    if (record.via.length) {
      const via = document.createElement("p");
      via.className = "qd-search-via";
      via.textContent = record.via.join("；");
      article.append(via);
    }
    link.append(article);
    li.append(link);
    return li;
  }

  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value), 120);
  });
  input.addEventListener("focus", () => {
    toggle.checked = true;
    pagefind();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      toggle.checked = false;
      input.blur();
    }
  });
  input.form.addEventListener("submit", (event) => event.preventDefault());
  input.form.addEventListener("reset", () => setTimeout(() => search(""), 0));
  toggle.addEventListener("change", () => {
    if (toggle.checked) input.focus();
  });

  // The home page's search form sends ?q=…: open the search with that query.
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    input.value = asked;
    toggle.checked = true;
    search(asked);
  }
})();
