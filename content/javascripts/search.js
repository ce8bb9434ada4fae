/* Site search: Material's header search box, answered by Pagefind from the site's own pagefind/ folder.

   The query is cut into words exactly as qingdan/site/search_index.py cut the indexed text (Chinese
   character pairs, other words lowercased: searchWords below is the twin of search_words there).
   Pagefind indexes records in groups, one heading per record with the record's address as its id;
   a record is a result when it holds every word of the query. */
(() => {
  "use strict";
  const CJK_RUNS = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/;
  const OTHER_WORD = /[\p{L}\p{N}]+/gu;
  const STEP = 10; // results shown at a time
  const SECTIONS = [["guides/", "办事指南"], ["agencies/", "机构"], ["boundaries/", "职责边界"]];

  function searchWords(text) {
    const words = [];
    (text || "").normalize("NFKC").split(CJK_RUNS).forEach((piece, i) => {
      if (i % 2) {
        const chars = [...piece];
        if (chars.length === 1) words.push(piece);
        for (let k = 0; k + 1 < chars.length; k++) words.push(chars[k] + chars[k + 1]);
      } else {
        for (const match of piece.matchAll(OTHER_WORD)) words.push(match[0].toLowerCase());
      }
    });
    return [...new Set(words)];
  }
  window.qingdanSearchWords = searchWords; // for the tests, which compare it with the Python twin

  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const toggle = document.getElementById("__search");
  const input = document.querySelector(".md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  const list = document.querySelector(".md-search-result__list");
  if (!toggle || !input || !meta || !list) return;

  let engine = null;
  function pagefind() {
    engine = engine || import(new URL("pagefind/pagefind.js", base).href).then(async (pf) => {
      await pf.init();
      return pf;
    });
    return engine;
  }

  // The records of one indexed group that hold every word: [{url, title, hits}].
  async function recordsOf(group, locationsByWord) {
    const data = await group.data();
    const anchors = data.anchors.filter((a) => /^h\d$/i.test(a.element) && a.id).sort((a, b) => a.location - b.location);
    const found = [];
    anchors.forEach((anchor, i) => {
      const end = i + 1 < anchors.length ? anchors[i + 1].location : Infinity;
      const inside = (locations) => (locations || []).filter((l) => l >= anchor.location && l < end).length;
      const counts = locationsByWord.map((byGroup) => inside(byGroup.get(group.id)));
      const url = new URL(anchor.id, base);
      if (counts.every((n) => n > 0) && url.origin === base.origin) {
        found.push({ url: url.href, path: anchor.id, title: anchor.text, hits: counts.reduce((a, b) => a + b, 0) });
      }
    });
    return found;
  }

  let current = 0; // the latest search; older ones stop when a newer one starts
  let state = null;

  async function search(query) {
    const id = ++current;
    const words = searchWords(query);
    list.replaceChildren();
    if (!words.length) {
      meta.textContent = "请输入要查找的事项、机构或岗位";
      state = null;
      return;
    }
    meta.textContent = "正在搜索……";
    const pf = await pagefind();
    const all = await pf.search(words.join(" "));
    const locationsByWord = [];
    for (const word of words) {
      const single = await pf.search(word);
      locationsByWord.push(new Map(single.results.map((r) => [r.id, r.words])));
    }
    if (id !== current) return;
    // Pagefind leaves out a word it does not know; a result must hold every word
    const groups = all.results.filter((group) => locationsByWord.every((byGroup) => byGroup.has(group.id)));
    state = { id, query: query.trim(), groups, next: 0, locationsByWord, records: [], shown: STEP };
    await more();
  }

  async function more() {
    const s = state;
    while (s.records.length < s.shown && s.next < s.groups.length) {
      const batch = s.groups.slice(s.next, s.next + 4);
      s.next += batch.length;
      const found = await Promise.all(batch.map((group) => recordsOf(group, s.locationsByWord)));
      if (s.id !== current) return;
      found.forEach((records, rank) => records.forEach((r) => s.records.push({ ...r, rank: s.next + rank })));
    }
    // names holding the whole query first, then the best groups, then the records with most hits
    const named = (r) => (r.title.includes(s.query) ? 0 : 1);
    s.records.sort((a, b) => named(a) - named(b) || a.rank - b.rank || b.hits - a.hits);
    render(s);
  }

  function render(s) {
    const done = s.next >= s.groups.length;
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
