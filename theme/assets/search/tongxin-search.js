/*
 * Tongxin search in the browser: plain JavaScript, no build step, no network beyond the site.
 *
 * The index (written by generator/search) is a set of scripts under search/data/ that call
 * TongxinSearch.manifest/shard/meta/facets. They are loaded with <script> elements, which
 * browsers allow from file:// where fetch() of local files is blocked, so the same search
 * works over HTTP and when index.html is opened from disk.
 *
 * Rules shared with generator/search (keep them identical): query normalisation (t2s map,
 * width folding, lower case), term runs, bigrams with a Chinese character, the term kinds
 * (b bigram, w word, x exact name, c name character, p pinyin), CRC-32 over the UTF-16 code
 * units of the term text (low byte first), and the posting code.
 */
(function () {
  "use strict";

  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
  var LAST = "ghijklmnopqrstuvwxyz0123456789-_";
  var NAME = 1;
  var WORD = 2;
  var PAGE_SIZE = 10;
  var SNIPPET_CHARS = 90;
  // A query with a missing or wrong character still finds records covering this share of it.
  var TYPO_COVERAGE = 0.6;
  var TERM_RUN = /[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

  var store = { manifest: null, t2s: {}, shards: {}, meta: {}, facets: null, decoded: {} };
  var pending = {};
  var loadedUrls = [];

  // --- the registration functions the index files call ---------------------------------

  var api = {
    manifest: function (_, data) {
      store.manifest = data;
      store.t2s = {};
      var pairs = Array.from(data.t2s);
      for (var i = 0; i + 1 < pairs.length; i += 2) store.t2s[pairs[i]] = pairs[i + 1];
    },
    shard: function (number, terms) { store.shards[number] = terms; },
    meta: function (number, docs) { store.meta[number] = docs; },
    facets: function (_, fields) { store.facets = fields; },
    // For tests and benchmarks.
    hash: termHash,
    normalize: normalize,
    loadedUrls: loadedUrls,
    search: function (root, query) { return search(root, query); }
  };
  window.TongxinSearch = api;

  // --- text rules shared with the index builder -------------------------------------

  // CRC-32 (zlib's) of the term's UTF-16 code units, low byte first: the shard of a term.
  var CRC_TABLE = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
    return table;
  })();

  function termHash(text) {
    var crc = 0xffffffff;
    for (var i = 0; i < text.length; i++) {
      var unit = text.charCodeAt(i);
      crc = CRC_TABLE[(crc ^ unit) & 0xff] ^ (crc >>> 8);
      crc = CRC_TABLE[(crc ^ (unit >>> 8)) & 0xff] ^ (crc >>> 8);
    }
    return (crc ^ 0xffffffff) >>> 0;
  }

  function normalizeChar(ch) {
    var code = ch.charCodeAt(0);
    // Full-width ASCII (ＡＢＣ１２３) -> ASCII, as the index does.
    var folded = code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : ch;
    folded = folded.toLowerCase();
    if (folded.length !== ch.length) folded = ch;
    return store.t2s[folded] || folded;
  }

  function normalize(text) {
    return Array.from(text).map(normalizeChar).join("");
  }

  function bigrams(run) {
    var chars = Array.from(run);
    var found = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      var pair = chars[i] + chars[i + 1];
      if (CJK.test(pair) && found.indexOf(pair) < 0) found.push(pair);
    }
    return found;
  }

  // A bitmap (~six records per character~flagged postings) or plain postings.
  function decodeTerm(encoded) {
    if (encoded.charAt(0) !== "~") return decodePostings(encoded);
    var end = encoded.indexOf("~", 1);
    var digits = MORE + LAST;
    var result = new Map();
    for (var i = 1; i < end; i++) {
      var bits = digits.indexOf(encoded.charAt(i));
      for (var bit = 0; bit < 6; bit++) {
        if (bits & (1 << bit)) result.set((i - 1) * 6 + bit, 0);
      }
    }
    decodePostings(encoded.slice(end + 1)).forEach(function (flags, record) { result.set(record, flags); });
    return result;
  }

  function decodePostings(encoded) {
    var result = new Map();
    var value = 0;
    var record = 0;
    for (var i = 0; i < encoded.length; i++) {
      var ch = encoded.charAt(i);
      var last = LAST.indexOf(ch);
      if (last >= 0) {
        value = value * 32 + last;
        record += Math.floor(value / 4);
        result.set(record, value & 3);
        value = 0;
      } else {
        value = value * 32 + MORE.indexOf(ch);
      }
    }
    return result;
  }

  // --- loading index files -------------------------------------------------------------

  function loadScript(url) {
    if (pending[url]) return pending[url];
    pending[url] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.charset = "utf-8";
      script.async = true;
      script.onload = function () { loadedUrls.push(url); resolve(); };
      script.onerror = function () { delete pending[url]; reject(new Error("无法加载 " + url)); };
      document.head.appendChild(script);
    });
    return pending[url];
  }

  function dataUrl(root, name) {
    return new URL(root + "/search/data/" + name, document.baseURI).href;
  }

  function loadManifest(root) {
    return loadScript(dataUrl(root, "manifest.js")).then(function () { return store.manifest; });
  }

  function versioned(root, name) {
    return dataUrl(root, store.manifest.data + "/" + name);
  }

  function shardOf(term) {
    return termHash(term.slice(1)) % store.manifest.shards;
  }

  function loadTerms(root, terms) {
    var wanted = {};
    terms.forEach(function (term) { wanted[shardOf(term)] = true; });
    return Promise.all(Object.keys(wanted).map(function (n) {
      return store.shards[n] ? null : loadScript(versioned(root, "s" + n + ".js"));
    }));
  }

  function postings(term) {
    if (store.decoded[term]) return store.decoded[term];
    var encoded = (store.shards[shardOf(term)] || {})[term];
    var decoded = encoded ? decodeTerm(encoded) : new Map();
    store.decoded[term] = decoded;
    return decoded;
  }

  function loadMeta(root, records) {
    var chunks = {};
    records.forEach(function (r) { chunks[Math.floor(r / store.manifest.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return store.meta[n] ? null : loadScript(versioned(root, "m" + n + ".js"));
    }));
  }

  function metaOf(record) {
    var chunk = store.meta[Math.floor(record / store.manifest.chunk)];
    var row = chunk[record % store.manifest.chunk];
    return { title: row[0], url: row[1], type: row[2], facts: row[3], excerpt: row[4] };
  }

  // --- the query -------------------------------------------------------------------------

  function parseQuery(query) {
    // Pinyin typed syllable by syllable (tong xin jia yuan) is one spelling.
    var joined = normalize(query).replace(/([a-z])[\s'’]+(?=[a-z])/g, "$1");
    return joined.match(TERM_RUN) || [];
  }

  function runTerms(run) {
    if (!CJK.test(run)) return ["w" + run, "p" + run, "x" + run];
    if (Array.from(run).length === 1) return ["c" + run];
    return bigrams(run).map(function (b) { return "b" + b; }).concat(["w" + run, "x" + run]);
  }

  function scoreAsciiRun(run) {
    var scores = new Map();
    postings("p" + run).forEach(function (flags, r) { add(scores, r, flags & NAME ? 1000 : 500); });
    postings("w" + run).forEach(function (flags, r) { add(scores, r, flags & NAME ? 400 : 100); });
    postings("x" + run).forEach(function (_, r) { add(scores, r, 1000); });
    return { scores: scores, approximate: false };
  }

  function scoreChineseRun(run) {
    var scores = new Map();
    if (Array.from(run).length === 1) {
      postings("c" + run).forEach(function (_, r) { scores.set(r, 300); });
      return { scores: scores, approximate: false };
    }
    var pairs = bigrams(run);
    var lists = pairs.map(function (b) { return postings("b" + b); });
    var smallest = lists.slice().sort(function (a, b) { return a.size - b.size; })[0];
    smallest.forEach(function (_, r) {
      var inName = true;
      var asWord = false;
      for (var i = 0; i < lists.length; i++) {
        var flags = lists[i].get(r);
        if (flags === undefined) return;
        inName = inName && (flags & NAME) !== 0;
        asWord = asWord || (pairs.length === 1 && (flags & WORD) !== 0);
      }
      scores.set(r, 100 + (inName ? 400 : 0) + (asWord ? 150 : 0));
    });
    if (scores.size === 0 && pairs.length >= 2) return scoreTypo(run, pairs, lists);
    postings("w" + run).forEach(function (flags, r) {
      if (scores.has(r)) add(scores, r, flags & NAME ? 250 : 150);
    });
    postings("x" + run).forEach(function (_, r) { add(scores, r, 1000); });
    return { scores: scores, approximate: false };
  }

  // No record has every bigram: rank records by how many of the query's characters their
  // bigrams cover (爱心储银行 still finds 爱心储蓄银行).
  function scoreTypo(run, pairs, lists) {
    var length = Array.from(run).length;
    var covered = new Map();
    var named = new Map();
    var chars = Array.from(run);
    lists.forEach(function (list, i) {
      var position = chars.indexOf(pairs[i].charAt(0)) >= 0 ? findPair(chars, pairs[i]) : -1;
      list.forEach(function (flags, r) {
        var mask = covered.get(r) || 0;
        if (position >= 0) mask |= (1 << position) | (1 << (position + 1));
        covered.set(r, mask);
        if (flags & NAME) named.set(r, (named.get(r) || 0) + 1);
      });
    });
    var scores = new Map();
    covered.forEach(function (mask, r) {
      var share = popcount(mask) / length;
      if (share >= TYPO_COVERAGE) scores.set(r, Math.round(100 * share) + 20 * (named.get(r) || 0));
    });
    return { scores: scores, approximate: true };
  }

  function findPair(chars, pair) {
    var pairChars = Array.from(pair);
    for (var i = 0; i + 1 < chars.length; i++) {
      if (chars[i] === pairChars[0] && chars[i + 1] === pairChars[1]) return Math.min(i, 30);
    }
    return -1;
  }

  function popcount(mask) {
    var count = 0;
    while (mask) { count += mask & 1; mask >>>= 1; }
    return count;
  }

  function add(scores, record, points) {
    scores.set(record, (scores.get(record) || 0) + points);
  }

  function evaluate(runs) {
    var parts = runs.map(function (run) { return CJK.test(run) ? scoreChineseRun(run) : scoreAsciiRun(run); });
    var total = new Map();
    var matched = new Map();
    parts.forEach(function (part) {
      part.scores.forEach(function (points, r) {
        add(total, r, points);
        add(matched, r, 1);
      });
    });
    if (runs.length > 1) {
      postings("x" + runs.join("")).forEach(function (_, r) { add(total, r, 1000); add(matched, r, runs.length); });
    }
    var all = [];
    var everyPart = [];
    total.forEach(function (points, r) {
      var item = { record: r, score: points + 10000 * Math.min(matched.get(r), runs.length) };
      all.push(item);
      if (matched.get(r) >= runs.length) everyPart.push(item);
    });
    var results = everyPart.length ? everyPart : all;
    results.sort(function (a, b) { return b.score - a.score || a.record - b.record; });
    var approximate = parts.some(function (p) { return p.approximate; }) || (runs.length > 1 && !everyPart.length);
    return { records: results.map(function (item) { return item.record; }), approximate: approximate };
  }

  function search(root, query) {
    return loadManifest(root).then(function () {
      var runs = parseQuery(query);
      if (!runs.length) return { runs: runs, records: [], approximate: false };
      var terms = [];
      runs.forEach(function (run) { terms = terms.concat(runTerms(run)); });
      if (runs.length > 1) terms.push("x" + runs.join(""));
      return loadTerms(root, terms).then(function () {
        var outcome = evaluate(runs);
        outcome.runs = runs;
        return outcome;
      });
    });
  }

  // --- facets ------------------------------------------------------------------------------

  function facetSets() {
    if (store.facetSets) return store.facetSets;
    store.facetSets = store.facets.map(function (field) {
      return {
        key: field.key,
        label: field.label,
        values: field.values,
        records: field.records.map(function (encoded) { return decodePostings(encoded); })
      };
    });
    return store.facetSets;
  }

  // --- the page ----------------------------------------------------------------------------

  function highlightParts(text, runs) {
    var normalized = Array.from(text).map(normalizeChar).join("");
    var marks = [];
    var needles = [];
    runs.forEach(function (run) {
      if (!CJK.test(run) && run.length < 2) return;
      needles.push(run);
    });
    if (!needles.some(function (n) { return normalized.indexOf(n) >= 0; })) {
      runs.forEach(function (run) { needles = needles.concat(bigrams(run)); });
    }
    needles.forEach(function (needle) {
      var at = normalized.indexOf(needle);
      while (needle && at >= 0) {
        marks.push([at, at + needle.length]);
        at = normalized.indexOf(needle, at + needle.length);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    marks.forEach(function (m) {
      var last = merged[merged.length - 1];
      if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
      else merged.push(m.slice());
    });
    return merged;
  }

  function appendMarked(parent, text, marks) {
    var at = 0;
    marks.forEach(function (m) {
      if (m[0] > at) parent.appendChild(document.createTextNode(text.slice(at, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      parent.appendChild(mark);
      at = m[1];
    });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function snippet(text, runs) {
    var marks = highlightParts(text, runs);
    var start = marks.length ? Math.max(0, marks[0][0] - 20) : 0;
    var end = Math.min(text.length, start + SNIPPET_CHARS);
    var shown = text.slice(start, end);
    var shifted = [];
    marks.forEach(function (m) {
      if (m[0] >= start && m[1] <= end) shifted.push([m[0] - start, m[1] - start]);
    });
    return { text: (start > 0 ? "…" : "") + shown + (end < text.length ? "…" : ""), marks: shifted.map(function (m) {
      return start > 0 ? [m[0] + 1, m[1] + 1] : m;
    }) };
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function Page(form) {
    this.form = form;
    this.input = form.querySelector("input[name=q]");
    this.root = form.getAttribute("data-tx-root") || ".";
    this.status = document.getElementById("tx-search-status");
    this.list = document.getElementById("tx-search-results");
    this.more = document.getElementById("tx-search-more");
    this.filters = document.getElementById("tx-search-filters");
    this.selected = {};
    this.outcome = null;
    this.shown = 0;
    this.generation = 0;
  }

  Page.prototype.start = function () {
    var self = this;
    var timer = null;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      self.run(self.input.value);
    });
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.run(self.input.value); }, 250);
    });
    this.more.addEventListener("click", function () { self.showMore(); });
    this.filters.addEventListener("toggle", function () {
      if (self.filters.open) self.openFilters();
    });
    var query = new URLSearchParams(window.location.search).get("q") || "";
    this.input.value = query;
    if (query) this.run(query);
  };

  Page.prototype.run = function (query) {
    var self = this;
    var generation = ++this.generation;
    query = query.trim();
    this.list.setAttribute("data-tx-state", "searching");
    this.remember(query);
    // Filters belong to one question: a new query starts unfiltered.
    if (query !== this.query) this.selected = {};
    if (!query) {
      this.outcome = null;
      this.render(query);
      return Promise.resolve();
    }
    this.status.textContent = "正在搜索…";
    return search(this.root, query).then(function (outcome) {
      if (generation !== self.generation) return null;
      self.outcome = outcome;
      self.query = query;
      return self.render(query);
    }).catch(function (error) {
      if (generation !== self.generation) return;
      self.status.textContent = "搜索索引加载失败，请刷新页面重试。（" + error.message + "）";
      self.list.setAttribute("data-tx-state", "error");
    });
  };

  Page.prototype.remember = function (query) {
    try {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.href);
    } catch (error) {
      // Some browsers refuse history changes on file:// pages; the search still works.
    }
  };

  Page.prototype.filtered = function () {
    var records = this.outcome ? this.outcome.records : [];
    if (!store.facets) return records;
    var sets = facetSets();
    var selected = this.selected;
    return records.filter(function (r) {
      return sets.every(function (field) {
        var value = selected[field.key];
        if (value === undefined || value === "") return true;
        return field.records[Number(value)].has(r);
      });
    });
  };

  Page.prototype.render = function (query) {
    var self = this;
    this.list.textContent = "";
    this.shown = 0;
    this.more.hidden = true;
    if (!this.outcome) {
      this.status.textContent = "请在页面顶部的搜索框输入要找的内容，如名称、地名、拼音或拼音首字母。";
      this.filters.hidden = true;
      this.list.setAttribute("data-tx-state", "done");
      return Promise.resolve();
    }
    var records = this.filtered();
    this.filters.hidden = this.outcome.records.length === 0;
    if (this.filters.open) this.fillFilters();
    if (!records.length) {
      this.status.textContent = "没有找到与“" + query + "”相关的内容。可以换个说法，只输入名称中的两三个字，或输入拼音首字母试试。";
      this.list.setAttribute("data-tx-state", "done");
      return Promise.resolve();
    }
    this.status.textContent = (this.outcome.approximate ? "没有完全相符的内容，下面是相近的 " : "找到 ") +
      records.length + " 条" + (this.outcome.approximate ? "结果。" : "与“" + query + "”相关的结果。");
    return this.showMore().then(function () { self.list.setAttribute("data-tx-state", "done"); });
  };

  Page.prototype.showMore = function () {
    var self = this;
    var records = this.filtered();
    var batch = records.slice(this.shown, this.shown + PAGE_SIZE);
    var generation = this.generation;
    return loadMeta(this.root, batch).then(function () {
      if (generation !== self.generation) return;
      batch.forEach(function (r) { self.list.appendChild(self.item(metaOf(r))); });
      self.shown += batch.length;
      self.more.hidden = self.shown >= records.length;
    });
  };

  Page.prototype.item = function (meta) {
    var runs = this.outcome.runs;
    var li = element("li", "tx-result");
    li.appendChild(element("p", "tx-result__type", meta.type));
    var heading = element("h2", "tx-result__title");
    var link = element("a");
    link.href = new URL(this.root + "/" + meta.url, document.baseURI).href;
    appendMarked(link, meta.title, highlightParts(meta.title, runs));
    heading.appendChild(link);
    li.appendChild(heading);
    if (meta.facts) li.appendChild(element("p", "tx-result__facts", meta.facts));
    if (meta.excerpt) {
      var cut = snippet(meta.excerpt, runs);
      var p = element("p", "tx-result__snippet");
      appendMarked(p, cut.text, cut.marks);
      li.appendChild(p);
    }
    return li;
  };

  Page.prototype.openFilters = function () {
    var self = this;
    var body = this.filters.querySelector(".tx-search-filters__body");
    if (store.facets) { this.fillFilters(); return; }
    body.textContent = "正在加载筛选条件…";
    loadManifest(this.root).then(function () {
      return loadScript(versioned(self.root, "facets.js"));
    }).then(function () { self.fillFilters(); });
  };

  Page.prototype.fillFilters = function () {
    var self = this;
    var body = this.filters.querySelector(".tx-search-filters__body");
    var records = this.outcome ? this.outcome.records : [];
    // Rebuilding the lists must not throw a keyboard user's focus out of the list they use.
    var focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : null;
    body.textContent = "";
    facetSets().forEach(function (field) {
      var options = [];
      field.values.forEach(function (value, i) {
        var count = 0;
        records.forEach(function (r) { if (field.records[i].has(r)) count++; });
        if (count || String(i) === self.selected[field.key]) options.push([String(i), value + "（" + count + "）"]);
      });
      if (!options.length) return;
      var id = "tx-facet-" + field.key;
      var wrap = element("div", "tx-search-filters__field");
      var label = element("label", null, field.label);
      label.htmlFor = id;
      var select = element("select");
      select.id = id;
      select.appendChild(new Option("全部", ""));
      options.forEach(function (o) { select.appendChild(new Option(o[1], o[0])); });
      select.value = self.selected[field.key] || "";
      select.addEventListener("change", function () {
        self.selected[field.key] = select.value;
        self.list.setAttribute("data-tx-state", "searching");
        self.render(self.query);
      });
      wrap.appendChild(label);
      wrap.appendChild(select);
      body.appendChild(wrap);
    });
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  };

  function boot() {
    var form = document.querySelector("form[data-tx-search]");
    if (!form || !document.getElementById("tx-search-results")) return;
    new Page(form).start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
