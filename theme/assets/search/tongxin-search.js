/*
 * Tongxin search in the browser: plain JavaScript, no build step, no network beyond the site.
 *
 * The index (written by generator/outputs/search) is a set of scripts under search/data/
 * that call TongxinSearch.manifest/shard/sound/meta/facets/readings. They are loaded with
 * <script> elements, which browsers allow from file:// where fetch() of local files is
 * blocked, so the same search works over HTTP and when index.html is opened from disk.
 *
 * Ranking is BM25F with a phrase bonus and 同音字 / near-miss tolerance; docs/search.md
 * describes the model and its parameters. Every posting carries the record's saturated,
 * field-weighted term frequency; IDF is computed here from the number of postings.
 *
 * Rules shared with generator/outputs/search (keep them identical): query normalisation
 * (compatibility forms, t2s map, lower case), term runs, bigrams with a Chinese character,
 * the term kinds (b bigram, w word, x exact name, c name character, p pinyin, s name
 * skip-pair, y name syllable pair), the shard key (a term's first two characters when they
 * hold a Chinese one, else its whole text), CRC-32 over the UTF-16 code units of the key
 * (low byte first), and the posting code.
 */
(function () {
  "use strict";

  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
  var LAST = "ghijklmnopqrstuvwxyz0123456789-_";
  var NAME = 1;
  var PAYLOAD = 32; // five payload bits: four of weight, the name flag
  var LEVEL_OFFSET = 5; // level L stands for a field-weighted frequency of 2 ** ((L - 5) / 2)
  var K1 = 2.0; // BM25 saturation
  var WORD_MARK = "*";
  var PAGE_SIZE = 10;
  var SNIPPET_CHARS = 90;
  // Bonuses, as shares of the query's IDF mass (docs/search.md).
  var EXACT = 1.5; // the whole name is the query
  var NAME_PHRASE = 1.0; // the query's characters adjacent and in order in the name
  var NEAR_PHRASE = 0.6; // … allowing a wrong character of the same sound, a missing or extra one
  var PHRASE = 0.3; // … anywhere in the record
  var KEEP_CHAIN = 0.5; // a record without a word of the query must hold this share of it in order
  var MAX_READINGS = 3;
  // A pair of characters in this share of the names (社区, 党委) is no 同音字 slip: its
  // sounds are not looked up (the index leaves out words and skip-pairs as common).
  var COMMON_SHARE = 0.02;
  var COMMON_MIN_RECORDS = 50;
  var TERM_RUN = /[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  // Letters apart from characters (digits stay with characters: 1号楼's pair 1号 is indexed).
  var SEGMENT = /[a-z]+|[0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var LETTERS = /[a-z]/;
  // Compatibility forms folded like NFKC, one character for one (as the index does).
  var COMPATIBLE = /[\u2460-\u24ff\u2f00-\u2fdf\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;

  var store = {
    manifest: null, t2s: {}, shards: {}, sounds: {}, meta: {}, facets: null, decoded: {},
    readings: null, syllables: null
  };
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
    sound: function (number, terms) { store.sounds[number] = terms; },
    meta: function (number, docs) { store.meta[number] = docs; },
    facets: function (_, fields) { store.facets = fields; },
    readings: function (_, table) { loadReadings(table); },
    // For tests and benchmarks.
    hash: termHash,
    shardKey: shardKey,
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

  function shardKey(text) {
    var head = Array.from(text).slice(0, 2).join("");
    return CJK.test(head) ? head : text;
  }

  function normalizeChar(ch) {
    var folded = ch;
    if (COMPATIBLE.test(ch)) {
      var compatible = ch.normalize("NFKC");
      if (Array.from(compatible).length === 1) folded = compatible;
    }
    var lower = folded.toLowerCase();
    if (lower.length === folded.length) folded = lower;
    return store.t2s[folded] || folded;
  }

  function normalize(text) {
    return Array.from(text).map(normalizeChar).join("");
  }

  // Adjacent pairs with a Chinese character: the bigram terms of a run.
  function bigrams(run) {
    var chars = Array.from(run);
    var found = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      var pair = chars[i] + chars[i + 1];
      if (CJK.test(pair) && found.indexOf(pair) < 0) found.push(pair);
    }
    return found;
  }

  // Postings, a bitmap (~shared payload, six records per character~records that stand out)
  // or two bitmaps (^payload of all, payload in the name, all~those with it in the name).
  function decodeTerm(encoded) {
    var word = encoded.charAt(0) === WORD_MARK;
    if (word) encoded = encoded.slice(1);
    var records = new Map();
    var end;
    if (encoded.charAt(0) === "^") {
      end = encoded.indexOf("~", 3);
      setBitmap(records, encoded.slice(3, end), LAST.indexOf(encoded.charAt(1)));
      setBitmap(records, encoded.slice(end + 1), LAST.indexOf(encoded.charAt(2)));
      return { records: records, word: word };
    }
    if (encoded.charAt(0) !== "~") return { records: decodePostings(encoded), word: word };
    end = encoded.indexOf("~", 2);
    setBitmap(records, encoded.slice(2, end), LAST.indexOf(encoded.charAt(1)));
    decodePostings(encoded.slice(end + 1)).forEach(function (payload, record) { records.set(record, payload); });
    return { records: records, word: word };
  }

  function setBitmap(records, bitmap, payload) {
    var digits = MORE + LAST;
    for (var i = 0; i < bitmap.length; i++) {
      var bits = digits.indexOf(bitmap.charAt(i));
      for (var bit = 0; bit < 6; bit++) {
        if (bits & (1 << bit)) records.set(i * 6 + bit, payload);
      }
    }
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
        record += Math.floor(value / PAYLOAD);
        result.set(record, value % PAYLOAD);
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

  function isSound(term) { return term.charAt(0) === "y"; }

  // Exact names and spellings are filed under their whole text (names share their first
  // characters too often: 中共…); everything else under its shard key.
  function shardOf(term) {
    var count = isSound(term) ? store.manifest.sounds : store.manifest.shards;
    var text = term.slice(1);
    return termHash("xpy".indexOf(term.charAt(0)) >= 0 ? text : shardKey(text)) % count;
  }

  function loadTerms(root, terms) {
    var wanted = {};
    terms.forEach(function (term) {
      var file = (isSound(term) ? "y" : "s") + shardOf(term);
      var loaded = isSound(term) ? store.sounds : store.shards;
      if (!loaded[shardOf(term)]) wanted[file] = true;
    });
    return Promise.all(Object.keys(wanted).map(function (file) {
      return loadScript(versioned(root, file + ".js"));
    }));
  }

  // Postings of a term: { records: Map(record -> payload), word: a dictionary word? }.
  function postings(term) {
    if (store.decoded[term]) return store.decoded[term];
    var shard = (isSound(term) ? store.sounds : store.shards)[shardOf(term)] || {};
    var encoded = shard[term];
    var decoded = encoded ? decodeTerm(encoded) : { records: new Map(), word: false };
    store.decoded[term] = decoded;
    return decoded;
  }

  function hasTerm(term) {
    var shard = (isSound(term) ? store.sounds : store.shards)[shardOf(term)];
    return Boolean(shard && shard[term]);
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

  // --- readings (pinyin) of characters, for 同音字 and pinyin inside characters -------

  function loadReadings(table) {
    var readings = {};
    var syllables = {};
    table.split("|").forEach(function (entry) {
      var syllable = entry.match(/^[a-z]+/)[0];
      syllables[syllable] = true;
      Array.from(entry.slice(syllable.length)).forEach(function (ch) {
        (readings[ch] = readings[ch] || []).push(syllable);
      });
    });
    store.readings = readings;
    store.syllables = syllables;
  }

  function loadReadingTable(root) {
    if (store.readings) return Promise.resolve();
    return loadScript(versioned(root, "readings.js"));
  }

  // Letters -> pinyin syllables (the fewest that spell them), or null.
  function syllabify(letters) {
    var best = [[]];
    for (var end = 1; end <= letters.length; end++) {
      best[end] = null;
      for (var start = Math.max(0, end - 6); start < end; start++) {
        if (best[start] && store.syllables[letters.slice(start, end)] &&
            (!best[end] || best[start].length + 1 < best[end].length)) {
          best[end] = best[start].concat([letters.slice(start, end)]);
        }
      }
    }
    return best[letters.length];
  }

  // A part as units that can be spoken: each Chinese character with its readings, each
  // syllable of pinyin typed among the characters; digits and unknown letters break it up.
  function soundUnits(part) {
    var units = [];
    part.segments.forEach(function (segment) {
      if (segment.han) {
        Array.from(segment.text).forEach(function (ch) {
          units.push((store.readings[ch] || []).slice(0, MAX_READINGS));
        });
      } else {
        var spelled = LETTERS.test(segment.text) ? syllabify(segment.text) : null;
        if (spelled) spelled.forEach(function (s) { units.push([s]); });
        else units.push([]);
      }
    });
    return units;
  }

  // The sound terms of every position (pair of units), none where ``skip(i)``.
  function soundTerms(units, skip) {
    var pairs = [];
    for (var i = 0; i + 1 < units.length; i++) {
      var here = [];
      if (!skip(i)) {
        units[i].forEach(function (a) {
          units[i + 1].forEach(function (b) { here.push("y" + a + "'" + b); });
        });
      }
      pairs.push(here);
    }
    return pairs;
  }

  function inManyNames(pair) {
    var named = 0;
    pair.list.records.forEach(function (payload) { if (payload & NAME) named++; });
    return named > Math.max(COMMON_MIN_RECORDS, store.manifest.count * COMMON_SHARE);
  }

  // --- the query -------------------------------------------------------------------------

  // A query -> parts (runs between spaces and punctuation), each split into segments of
  // Chinese characters and of letters or digits, looked up as what they are.
  function parseQuery(query) {
    var normalized = normalize(query);
    var parts = (normalized.match(TERM_RUN) || []).map(function (text) {
      var segments = (text.match(SEGMENT) || []).map(function (s) {
        return { text: s, han: CJK.test(s) };
      });
      return { text: text, segments: segments, latin: !segments.some(function (s) { return s.han; }) };
    });
    return { parts: parts, spellings: spellingGroups(parts) };
  }

  // Adjacent parts of letters only (tong xin jia yuan): each group may also be one spelling.
  function spellingGroups(parts) {
    var groups = [];
    var current = [];
    parts.forEach(function (part, i) {
      if (part.latin && /[a-z]/.test(part.text)) current.push(i);
      else { if (current.length > 1) groups.push(current); current = []; }
    });
    if (current.length > 1) groups.push(current);
    return groups;
  }

  function firstRoundTerms(query) {
    var terms = [];
    query.parts.forEach(function (part) {
      terms.push("x" + part.text);
      part.segments.forEach(function (segment) {
        if (!segment.han) {
          terms.push("w" + segment.text, "p" + segment.text);
        } else if (Array.from(segment.text).length === 1) {
          terms.push("c" + segment.text);
        } else {
          bigrams(segment.text).forEach(function (b) { terms.push("b" + b); });
        }
      });
    });
    query.spellings.forEach(function (group) {
      var text = group.map(function (i) { return query.parts[i].text; }).join("");
      terms.push("p" + text, "x" + text, "w" + text);
    });
    if (query.parts.length > 1) terms.push("x" + query.parts.map(function (p) { return p.text; }).join(""));
    return terms;
  }

  function idf(df) {
    var n = store.manifest.count;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  // BM25F: the saturated field-weighted frequency a posting's level stands for.
  function weight(payload) {
    var frequency = Math.pow(2, ((payload >> 1) - LEVEL_OFFSET) / 2);
    return frequency / (K1 + frequency);
  }

  // Words of the index inside a segment (three or more characters), longest first, not
  // overlapping: their shards are the shards of their first bigram, loaded already.
  function segmentWords(chars) {
    var found = [];
    var used = [];
    for (var length = chars.length; length >= 3; length--) {
      for (var start = 0; start + length <= chars.length; start++) {
        var free = true;
        for (var k = start; k < start + length; k++) if (used[k]) free = false;
        if (!free) continue;
        var term = "w" + chars.slice(start, start + length).join("");
        if (hasTerm(term)) {
          found.push(term);
          for (k = start; k < start + length; k++) used[k] = true;
        }
      }
    }
    return found;
  }

  // A Chinese segment: its bigrams position by position, its words, its IDF mass.
  function hanSegment(text) {
    var chars = Array.from(text);
    var pairs = [];
    for (var i = 0; i + 1 < chars.length; i++) {
      var pair = chars[i] + chars[i + 1];
      pairs.push({ text: pair, term: "b" + pair, list: postings("b" + pair), skip: postings("s" + pair) });
    }
    var words = segmentWords(chars).map(function (term) { return { term: term, list: postings(term) }; });
    var single = chars.length === 1 ? postings("c" + text) : null;
    var mass = single ? idf(single.records.size) : 0;
    pairs.forEach(function (p) { p.idf = idf(p.list.records.size); mass += p.idf; });
    words.forEach(function (w) { w.idf = idf(w.list.records.size); mass += w.idf; });
    return { chars: chars, pairs: pairs, words: words, mass: mass, single: single };
  }

  function latinSegment(text) {
    var pinyin = postings("p" + text);
    var word = postings("w" + text);
    var df = Math.max(pinyin.records.size, word.records.size);
    return { text: text, pinyin: pinyin, word: word, idf: idf(df), mass: idf(df) };
  }

  function prepare(query) {
    query.parts.forEach(function (part) {
      part.exact = postings("x" + part.text);
      part.segments.forEach(function (segment) {
        segment.info = segment.han ? hanSegment(segment.text) : latinSegment(segment.text);
      });
      part.mass = part.segments.reduce(function (sum, s) { return sum + s.info.mass; }, 0);
    });
  }

  // Longest run of consecutive true positions.
  function longestRun(flags) {
    var best = 0;
    var run = 0;
    flags.forEach(function (flag) { run = flag ? run + 1 : 0; if (run > best) best = run; });
    return best;
  }

  // The heaviest run of consecutive true positions, by the positions' IDF.
  function heaviestRun(flags, weights) {
    var best = 0;
    var run = 0;
    flags.forEach(function (flag, i) { run = flag ? run + weights[i] : 0; if (run > best) best = run; });
    return best;
  }

  // One Chinese segment's score for a record: BM25F of its bigrams and words, and the phrase
  // bonuses for its characters adjacent and in order (anywhere, in the name, near-miss).
  function scoreHan(info, r, near) {
    var result = { score: 0, kept: false, full: false };
    if (info.single) {
      var payload = info.single.records.get(r);
      if (payload === undefined) return result;
      result.score = info.mass * (weight(payload) + NAME_PHRASE);
      result.kept = result.full = true;
      return result;
    }
    var any = [];
    var named = [];
    var word = false;
    info.pairs.forEach(function (p) {
      var payload = p.list.records.get(r);
      any.push(payload !== undefined);
      named.push(payload !== undefined && (payload & NAME) !== 0);
      if (payload !== undefined) {
        result.score += p.idf * weight(payload);
        word = word || p.list.word;
      }
    });
    info.words.forEach(function (w) {
      var payload = w.list.records.get(r);
      if (payload !== undefined) { result.score += w.idf * weight(payload); word = true; }
    });
    // Shares of the segment's bigram IDF in its heaviest run of adjacent pairs.
    var weights = info.pairs.map(function (p) { return p.idf; });
    var pairMass = weights.reduce(function (a, b) { return a + b; }, 0);
    var phrase = heaviestRun(any, weights) / pairMass;
    var namePhrase = heaviestRun(named, weights) / pairMass;
    var nearPhrase = near ? near(r) : 0;
    result.score += info.mass * (PHRASE * phrase * phrase + NAME_PHRASE * namePhrase * namePhrase +
      NEAR_PHRASE * nearPhrase * nearPhrase);
    var run = longestRun(any);
    result.full = run === info.pairs.length;
    result.kept = word || (run && (run + 1) / info.chars.length >= KEEP_CHAIN) || nearPhrase >= KEEP_CHAIN;
    return result;
  }

  function scoreLatin(info, r) {
    var result = { score: 0, kept: false, full: false };
    var pinyin = info.pinyin.records.get(r);
    var word = info.word.records.get(r);
    if (pinyin === undefined && word === undefined) return result;
    var best = Math.max(pinyin === undefined ? 0 : weight(pinyin), word === undefined ? 0 : weight(word));
    result.score = info.idf * best;
    if (pinyin !== undefined) result.score += info.idf * (pinyin & NAME ? EXACT : NAME_PHRASE);
    else if (word & NAME) result.score += info.idf * NAME_PHRASE;
    result.kept = result.full = true;
    return result;
  }

  // The near-miss chain of a part for a record, over its spoken units: a position counts
  // when the name has the pair exactly, pairs the sounds (同音字, pinyin typed among the
  // characters), or skips a character (missing in the query) — or, for a character too
  // many in the query, has the characters around it as a pair.
  function nearChain(part, r) {
    var sounds = part.sounds;
    var flags = [];
    for (var i = 0; i < sounds.length; i++) {
      var hit = sounds[i].some(function (list) { return list.records.has(r); });
      var exact = part.unitPairs[i];
      if (!hit && exact) {
        var payload = exact.list.records.get(r);
        hit = (payload !== undefined && (payload & NAME) !== 0) || exact.skip.records.has(r);
      }
      flags.push(hit);
    }
    (part.extra || []).forEach(function (extra) {
      if (extra.list.records.has(r)) { flags[extra.at] = true; flags[extra.at + 1] = true; }
    });
    return heaviestRun(flags, part.unitWeights) / part.unitMass;
  }

  function scorePart(part, r) {
    var total = { score: 0, kept: false, full: true };
    part.segments.forEach(function (segment) {
      var near = part.sounds && segment.han ? function (record) { return nearChain(part, record); } : null;
      var one = segment.han ? scoreHan(segment.info, r, near) : scoreLatin(segment.info, r);
      total.score += one.score;
      total.kept = total.kept || one.kept;
      total.full = total.full && one.full;
    });
    if (part.sounds && !part.segments.some(function (s) { return s.han; })) {
      var spoken = nearChain(part, r);
      total.score += part.mass * NEAR_PHRASE * spoken * spoken;
      total.kept = total.kept || spoken >= KEEP_CHAIN;
    }
    if (part.exact.records.has(r)) { total.score += EXACT * part.mass; total.kept = total.full = true; }
    return total;
  }

  function candidates(query) {
    var records = new Set();
    function addAll(list) { list.records.forEach(function (_, r) { records.add(r); }); }
    query.parts.forEach(function (part) {
      addAll(part.exact);
      part.segments.forEach(function (segment) {
        var info = segment.info;
        if (segment.han) {
          if (info.single) addAll(info.single);
          info.pairs.forEach(function (p) { addAll(p.list); addAll(p.skip); });
          info.words.forEach(function (w) { addAll(w.list); });
        } else {
          addAll(info.pinyin);
          addAll(info.word);
        }
      });
      (part.sounds || []).forEach(function (position) { position.forEach(addAll); });
      (part.extra || []).forEach(function (extra) { addAll(extra.list); });
    });
    query.spellingLists.forEach(function (group) { addAll(group.pinyin); addAll(group.exact); addAll(group.word); });
    if (query.whole) addAll(query.whole);
    return records;
  }

  function evaluate(query) {
    var results = [];
    var complete = false;
    var totalMass = query.parts.reduce(function (sum, p) { return sum + p.mass; }, 0);
    candidates(query).forEach(function (r) {
      var score = 0;
      var kept = false;
      var full = true;
      var perPart = query.parts.map(function (part) {
        var one = scorePart(part, r);
        kept = kept || one.kept;
        full = full && one.full;
        return one.score;
      });
      score = perPart.reduce(function (a, b) { return a + b; }, 0);
      query.spellingLists.forEach(function (group) {
        // Letters typed with spaces: the better of the separate parts and the one spelling.
        var separate = group.parts.reduce(function (sum, i) { return sum + perPart[i]; }, 0);
        var joined = 0;
        var payload = group.pinyin.records.get(r);
        if (payload !== undefined) joined = group.idf * (weight(payload) + (payload & NAME ? EXACT : NAME_PHRASE));
        if (group.exact.records.has(r)) joined += EXACT * group.idf;
        if (group.word.records.has(r)) joined += group.idf * weight(group.word.records.get(r));
        if (joined > separate) { score += joined - separate; kept = full = true; }
      });
      if (query.whole && query.whole.records.has(r)) { score += EXACT * totalMass; kept = full = true; }
      if (!kept || score <= 0) return;
      complete = complete || full;
      results.push({ record: r, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score || a.record - b.record; });
    return {
      records: results.map(function (item) { return item.record; }),
      scores: results.map(function (item) { return item.score; }),
      approximate: !complete
    };
  }

  // Does a part find little? No record has all of a Chinese segment's pairs, or a segment of
  // letters matches nothing, or letters and characters are mixed in it.
  function findsLittle(part) {
    var letters = part.segments.some(function (s) { return LETTERS.test(s.text); });
    if (letters && part.segments.some(function (s) { return s.han; })) return true;
    return part.segments.some(function (segment) {
      var info = segment.info;
      if (!segment.han) return info.pinyin.records.size + info.word.records.size === 0;
      if (info.single) return info.single.records.size === 0;
      if (!info.pairs.length) return false;
      var counts = new Map();
      var full = false;
      info.pairs.forEach(function (p) {
        p.list.records.forEach(function (_, r) {
          var c = (counts.get(r) || 0) + 1;
          counts.set(r, c);
          if (c === info.pairs.length) full = true;
        });
      });
      return !full;
    });
  }

  // Second round for the parts that find little: the terms of their sounds, and for a
  // character too many the pairs around it.
  function secondRoundTerms(part) {
    var units = soundUnits(part);
    part.unitPairs = [];
    part.extraTerms = [];
    var unitIndex = 0;
    part.segments.forEach(function (segment) {
      if (segment.han) {
        var chars = Array.from(segment.text);
        chars.forEach(function (_, k) {
          var pair = segment.info.pairs && segment.info.pairs[k];
          part.unitPairs[unitIndex + k] = k + 1 < chars.length ? pair : null;
          if (k + 2 < chars.length) {
            var around = chars[k] + chars[k + 2];
            var missing = segment.info.pairs[k].list.records.size === 0 || segment.info.pairs[k + 1].list.records.size === 0;
            if (missing && CJK.test(around)) part.extraTerms.push({ term: "b" + around, at: unitIndex + k });
          }
        });
        unitIndex += chars.length;
      } else {
        var spelled = syllabify(segment.text);
        unitIndex += spelled ? spelled.length : 1;
      }
    });
    part.soundTerms = soundTerms(units, function (i) { return part.unitPairs[i] && inManyNames(part.unitPairs[i]); });
    var terms = [];
    part.soundTerms.forEach(function (position) { terms = terms.concat(position); });
    part.extraTerms.forEach(function (extra) { terms.push(extra.term); });
    return terms;
  }

  // Each position weighs what its characters' pair weighs (IDF), or its rarest sound.
  function attachSecondRound(part) {
    part.sounds = part.soundTerms.map(function (position) { return position.map(postings); });
    part.extra = part.extraTerms.map(function (extra) { return { at: extra.at, list: postings(extra.term) }; });
    part.unitWeights = part.sounds.map(function (lists, i) {
      if (part.unitPairs[i]) return part.unitPairs[i].idf;
      var df = lists.reduce(function (least, list) { return Math.min(least, list.records.size); }, store.manifest.count);
      return idf(df);
    });
    part.unitMass = part.unitWeights.reduce(function (a, b) { return a + b; }, 0) || 1;
  }

  function search(root, query) {
    return loadManifest(root).then(function () {
      var parsed = parseQuery(query);
      if (!parsed.parts.length) return { runs: [], records: [], approximate: false };
      return loadTerms(root, firstRoundTerms(parsed)).then(function () {
        prepare(parsed);
        parsed.spellingLists = parsed.spellings.map(function (group) {
          var text = group.map(function (i) { return parsed.parts[i].text; }).join("");
          var pinyin = postings("p" + text);
          var word = postings("w" + text);
          return {
            parts: group, pinyin: pinyin, word: word, exact: postings("x" + text),
            idf: idf(Math.max(pinyin.records.size, word.records.size))
          };
        });
        if (parsed.parts.length > 1) parsed.whole = postings("x" + parsed.parts.map(function (p) { return p.text; }).join(""));
        var little = parsed.parts.filter(findsLittle);
        if (!little.length) return parsed;
        return loadReadingTable(root).then(function () {
          var terms = [];
          little.forEach(function (part) { terms = terms.concat(secondRoundTerms(part)); });
          return loadTerms(root, terms);
        }).then(function () {
          little.forEach(attachSecondRound);
          return parsed;
        });
      }).then(function (ready) {
        var outcome = evaluate(ready);
        outcome.runs = highlightNeedles(ready);
        return outcome;
      });
    });
  }

  // What the results highlight: every part, and its Chinese and letter segments.
  function highlightNeedles(query) {
    var needles = [];
    query.parts.forEach(function (part) {
      needles.push(part.text);
      if (part.segments.length > 1) part.segments.forEach(function (s) { needles.push(s.text); });
    });
    return needles;
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
