/* Tongxin portal script: everything here works from disk (file://) and makes no network request.

   - 大字模式 / 高对比度 switches (remembered in localStorage when the browser allows it);
   - notice (公示中 / 今天截止 / 即将公示 / 已结束) and lecture (即将举行 / 进行中 / 已结束) badges
     corrected by the visitor's clock, read in the portal's time zone (meta tx-timezone), items
     moved between lists (今天截止 stays with 公示中, 进行中 with the coming lectures);
   - "现在开放 / 已关闭 / 今日 HH:MM 开放" for places from their structured hours;
   - the organisation directory filters; the print button; today's cell in the lecture calendar;
   - 菜单 by keyboard; tables in editors' text as cards on phones; the calendar on this month;
   - 朗读 (speech synthesis in Chinese), 扫码在手机上看, 只看现在开放, the print date. */
(function () {
  "use strict";

  var WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
  var NOTICE_LABELS = { open: "公示中", "last-day": "今天截止", upcoming: "即将公示", closed: "已结束" };
  var LECTURE_LABELS = { upcoming: "即将举行", ongoing: "进行中", closed: "已结束" };

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || document).querySelectorAll(selector));
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /* --- 适老化 switches --------------------------------------------------------------- */

  function setupPreferences() {
    var root = document.documentElement;
    all("[data-tx-pref]").forEach(function (button) {
      var name = button.getAttribute("data-tx-pref");
      button.setAttribute("aria-pressed", root.classList.contains("tx-" + name) ? "true" : "false");
      button.addEventListener("click", function () {
        var on = !root.classList.contains("tx-" + name);
        root.classList.toggle("tx-" + name, on);
        all('[data-tx-pref="' + name + '"]').forEach(function (other) {
          other.setAttribute("aria-pressed", on ? "true" : "false");
        });
        try {
          window.localStorage.setItem("tx-pref-" + name, on ? "1" : "0");
        } catch (e) {
          /* file:// or private mode: the choice lasts for this page only. */
        }
      });
    });
  }

  /* --- the visitor's clock in the portal's time zone ---------------------------------- */

  function portalZone() {
    var meta = document.querySelector('meta[name="tx-timezone"]');
    return (meta && meta.getAttribute("content")) || "Asia/Shanghai";
  }

  /* {date: "2026-11-24", time: "19:05", stamp: "2026-11-24T19:05:00"} or null if the browser
     cannot convert time zones (then the build-time state stays). */
  function portalNow() {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", {
        timeZone: portalZone(), hourCycle: "h23",
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"
      }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    } catch (e) {
      return null;
    }
    var hour = parts.hour === "24" ? "00" : parts.hour;
    var date = parts.year + "-" + parts.month + "-" + parts.day;
    var time = hour + ":" + parts.minute;
    return { date: date, time: time, stamp: date + "T" + time + ":" + parts.second };
  }

  function weekdayIndex(isoDate) {
    var p = isoDate.split("-");
    return (new Date(Date.UTC(+p[0], +p[1] - 1, +p[2])).getUTCDay() + 6) % 7;  // Monday = 0
  }

  function addDays(isoDate, days) {
    var p = isoDate.split("-");
    var d = new Date(Date.UTC(+p[0], +p[1] - 1, +p[2] + days));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }

  /* --- notice and lecture states -------------------------------------------------------- */

  function noticeState(badge, now) {
    var start = badge.getAttribute("data-tx-window-start");
    var end = badge.getAttribute("data-tx-window-end");
    if (now.date < start) return "upcoming";
    if (now.date > end) return "closed";
    return now.date === end ? "last-day" : "open";
  }

  /* Times are local ISO stamps ("2026-11-24T19:00:00"): they compare as strings. */
  function lectureState(badge, now) {
    if (badge.getAttribute("data-tx-lecture-end") <= now.stamp) return "closed";
    return badge.getAttribute("data-tx-lecture-start") <= now.stamp ? "ongoing" : "upcoming";
  }

  function targetGroup(badge, state) {
    if (badge.hasAttribute("data-tx-lecture-end")) {
      return state === "closed" ? "lecture-past" : "lecture-upcoming";
    }
    if (state === "closed") {
      return "notice-closed-" + badge.getAttribute("data-tx-window-end").slice(0, 4);
    }
    return state === "last-day" ? "notice-open" : "notice-" + state;
  }

  function archiveList(group) {
    var section = document.querySelector('[data-tx-section="notice-closed"]');
    if (!section) return null;
    var year = group.slice("notice-closed-".length);
    var heading = section.querySelector("h1, h2, h3, h4, h5");
    var level = heading ? Math.min(+heading.tagName.slice(1) + 1, 6) : 3;
    var yearHeading = document.createElement("h" + level);
    yearHeading.id = "archive-" + year;
    yearHeading.textContent = year + " 年";
    var list = document.createElement("ul");
    list.className = "tx-list";
    list.setAttribute("data-tx-group", group);
    var after = heading ? heading.nextSibling : section.firstChild;
    section.insertBefore(list, after);
    section.insertBefore(yearHeading, list);
    return list;
  }

  function moveItem(item, group) {
    var list = item.parentNode;
    if (!list || list.getAttribute("data-tx-group") === group) return;
    var target = document.querySelector('[data-tx-group="' + group + '"]');
    if (!target && group.indexOf("notice-closed-") === 0) target = archiveList(group);
    if (target) {
      target.insertBefore(item, target.firstChild);
    } else {
      item.hidden = true;  // this page does not list items in that state (e.g. ended ones on the home page)
    }
  }

  function refreshSections() {
    all("[data-tx-section]").forEach(function (section) {
      var visible = all("[data-tx-group] > li", section).filter(function (li) { return !li.hidden; }).length;
      var empty = section.querySelector("[data-tx-empty]");
      if (empty) {
        empty.hidden = visible > 0;
      } else {
        section.hidden = visible === 0;
      }
      all("[data-tx-group]", section).forEach(function (list) {
        var heading = list.previousElementSibling;
        if (heading && /^notice-closed-/.test(list.getAttribute("data-tx-group")) && /^H[1-6]$/.test(heading.tagName)) {
          heading.hidden = list.children.length === 0;
        }
      });
    });
  }

  function correctStates(now) {
    all(".tx-state[data-tx-state]").forEach(function (badge) {
      var isLecture = badge.hasAttribute("data-tx-lecture-end");
      if (!isLecture && !badge.hasAttribute("data-tx-window-start")) return;
      var state = isLecture ? lectureState(badge, now) : noticeState(badge, now);
      var built = badge.getAttribute("data-tx-state");
      if (state === built) return;
      badge.setAttribute("data-tx-state", state);
      badge.textContent = (isLecture ? LECTURE_LABELS : NOTICE_LABELS)[state];
      var item = badge.closest("li[data-tx-movable]");
      if (item) moveItem(item, targetGroup(badge, state));
    });
    refreshSections();
  }

  /* --- opening hours -------------------------------------------------------------------- */

  function spansOn(hours, isoDate) {
    if (Object.prototype.hasOwnProperty.call(hours.exceptions, isoDate)) return hours.exceptions[isoDate];
    return hours.weekly[weekdayIndex(isoDate)] || [];
  }

  /* {state: "open"|"later"|"closed", text} for the moment ``now``. */
  function openingStatus(hours, now) {
    var today = spansOn(hours, now.date);
    for (var i = 0; i < today.length; i++) {
      if (today[i][0] <= now.time && now.time < today[i][1]) {
        return { state: "open", text: "现在开放，今日 " + today[i][1] + " 关门" };
      }
    }
    for (i = 0; i < today.length; i++) {
      if (today[i][0] > now.time) return { state: "later", text: "已关闭，今日 " + today[i][0] + " 开放" };
    }
    for (var ahead = 1; ahead <= 7; ahead++) {
      var day = addDays(now.date, ahead);
      var spans = spansOn(hours, day);
      if (spans.length) {
        var when = ahead === 1 ? "明日" : WEEKDAYS[weekdayIndex(day)] + "（" + +day.slice(5, 7) + "月" + +day.slice(8) + "日）";
        return { state: "closed", text: "已关闭，" + when + " " + spans[0][0] + " 开放" };
      }
    }
    return { state: "closed", text: "已关闭" };
  }

  function showOpeningHours(now) {
    all("[data-tx-hours]").forEach(function (element) {
      var hours;
      try {
        hours = JSON.parse(element.getAttribute("data-tx-hours"));
      } catch (e) {
        return;
      }
      var status = openingStatus(hours, now);
      element.textContent = status.text;
      element.setAttribute("data-tx-open-state", status.state);
      element.hidden = false;
    });
  }

  /* --- organisation directory filters ------------------------------------------------- */

  function rowMatches(row, key, value) {
    if (!value) return true;
    if (key === "area") {
      var colon = value.indexOf(":");
      return row.getAttribute("data-tx-" + value.slice(0, colon)) === value.slice(colon + 1);
    }
    return row.getAttribute("data-tx-" + key) === value;
  }

  function setupFilters() {
    all("form[data-tx-filter]").forEach(function (form) {
      var table = document.getElementById(form.getAttribute("data-tx-filter"));
      if (!table) return;
      var rows = all("tbody tr", table);
      var count = form.querySelector("[data-tx-filter-count]");
      var empty = document.querySelector("[data-tx-filter-empty]");
      function apply() {
        var shown = 0;
        var selects = all("select[data-tx-filter-key]", form);
        rows.forEach(function (row) {
          var ok = selects.every(function (select) {
            return rowMatches(row, select.getAttribute("data-tx-filter-key"), select.value);
          });
          row.hidden = !ok;
          if (ok) shown++;
        });
        if (count) {
          /* "本页" when the directory is paginated: the filter sees only this page's rows. */
          var scope = count.getAttribute("data-tx-filter-scope") || "";
          count.textContent = shown === rows.length ? scope + "共 " + rows.length + " 个党组织"
            : "筛选出 " + shown + " 个党组织（" + scope + "共 " + rows.length + " 个）";
        }
        if (empty) empty.hidden = shown > 0;
      }
      form.addEventListener("change", apply);
      form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.hidden = false;
      apply();
    });
  }

  /* --- small things ----------------------------------------------------------------------- */

  function setupPrinting() {
    all("[data-tx-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  /* What a printed page says it was printed on: the visitor's day, not the build's. */
  function showPrintDate(now) {
    all("[data-tx-print-date]").forEach(function (element) {
      element.textContent = "打印日期：" + +now.date.slice(0, 4) + "年" + +now.date.slice(5, 7) + "月" + +now.date.slice(8) + "日";
    });
  }

  /* --- tools under the title: 朗读 and 扫码在手机上看 -------------------------------------- */

  function setupPageTools() {
    all("[data-tx-after-title]").forEach(function (holder) {
      var title = document.querySelector(".md-content h1");
      if (title) title.parentNode.insertBefore(holder, title.nextSibling);
    });
    all("[data-tx-page-tools]").forEach(function (tools) { tools.hidden = false; });
    all("[data-tx-qr-toggle]").forEach(function (button) {
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!panel) return;
      button.addEventListener("click", function () {
        var open = !panel.classList.contains("tx-open");
        panel.classList.toggle("tx-open", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    setupReadAloud();
  }

  function chineseVoice() {
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh[-_](CN|Hans)/i.test(voices[i].lang)) return voices[i];
    }
    for (i = 0; i < voices.length; i++) {
      if (/^(zh|cmn)/i.test(voices[i].lang)) return voices[i];
    }
    return null;
  }

  /* The page's text in reading order: the title, then each heading, paragraph, list item and
     fact of the content, without the breadcrumb, buttons and the printed-only parts. */
  function readableParts() {
    var article = document.querySelector(".md-content article") || document.querySelector(".md-content");
    if (!article) return [];
    var selector = "h1, h2, h3, h4, p, li, dt, dd, td, th";
    var skip = ".tx-breadcrumb, .tx-page-tools, .tx-actions, .tx-print-qr, .tx-print-meta, .tx-visually-hidden, [hidden]";
    return all(selector, article).filter(function (element) {
      return !element.closest(skip) && !(element.parentElement && element.parentElement.closest(selector));
    }).map(function (element) {
      return element.textContent.replace(/\s+/g, " ").trim();
    }).filter(Boolean);
  }

  /* 朗读 (MIIT 适老化): the browser's own speech synthesis in Chinese; the button stays hidden
     on a device without a Chinese voice. */
  function setupReadAloud() {
    var buttons = all("[data-tx-read]");
    if (!buttons.length || !window.speechSynthesis || !window.SpeechSynthesisUtterance) return;
    var synth = window.speechSynthesis;
    function offer() {
      var voice = chineseVoice();
      buttons.forEach(function (button) { button.hidden = !voice; });
      return voice;
    }
    if (!offer() && synth.addEventListener) synth.addEventListener("voiceschanged", offer);
    buttons.forEach(function (button) {
      function stopped() {
        button.textContent = "朗读";
        button.setAttribute("aria-pressed", "false");
      }
      button.addEventListener("click", function () {
        if (button.getAttribute("aria-pressed") === "true") {
          synth.cancel();
          stopped();
          return;
        }
        var voice = chineseVoice();
        var parts = readableParts();
        parts.forEach(function (text, index) {
          var utterance = new window.SpeechSynthesisUtterance(text);
          utterance.lang = "zh-CN";
          if (voice) utterance.voice = voice;
          utterance.rate = 0.9;  // a little slower than the default, for older listeners
          if (index === parts.length - 1) utterance.onend = stopped;
          synth.speak(utterance);
        });
        button.textContent = "停止朗读";
        button.setAttribute("aria-pressed", "true");
      });
    });
  }

  /* --- 只看现在开放 on the places directory ----------------------------------------------- */

  function setupOpenNowFilter() {
    all("[data-tx-open-filter]").forEach(function (box) {
      var holder = box.closest("[data-tx-open-filter-holder]");
      var count = holder && holder.querySelector("[data-tx-open-count]");
      var cards = all(".tx-card", document.querySelector(".md-content"));
      function apply() {
        var shown = 0;
        cards.forEach(function (card) {
          var state = card.querySelector("[data-tx-open-state]");
          var open = !!state && state.getAttribute("data-tx-open-state") === "open";
          card.hidden = box.checked && !open;
          if (!card.hidden) shown++;
        });
        if (count) count.textContent = box.checked ? "现在开放的有 " + shown + " 处" : "";
      }
      box.addEventListener("change", apply);
      if (holder) holder.hidden = false;
      apply();
    });
  }

  /* --- the lecture calendar opens on the visitor's month ------------------------------------ */

  function openCalendarOnMonth(now) {
    var months = all("[data-tx-month]");
    var current = now.date.slice(0, 7);
    var first = -1;
    for (var i = 0; i < months.length; i++) {
      if (months[i].getAttribute("data-tx-month") >= current) { first = i; break; }
    }
    if (first <= 0) return;  // nothing earlier, or every month is past: show them all
    var earlier = months.slice(0, first);
    earlier.forEach(function (month) { month.hidden = true; });
    var holder = document.createElement("p");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button";
    button.textContent = "显示之前的月份（" + earlier.length + " 个月）";
    holder.appendChild(button);
    months[0].parentNode.insertBefore(holder, months[0]);
    function reveal() {
      earlier.forEach(function (month) { month.hidden = false; });
      holder.remove();
    }
    button.addEventListener("click", reveal);
    /* A link to an earlier month (the month list above) shows them first. */
    all('a[href^="#m"]').forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target && target.closest("[hidden]")) reveal();
      });
    });
  }

  /* Tables in editors' text: each cell labelled with its column head, so that on a phone the
     stylesheet can show a row as a card ("姓名：张某某") instead of a table to scroll sideways. */
  function labelTableCells() {
    all(".md-content table:not([class])").forEach(function (table) {
      var heads = all("thead th", table).map(function (th) { return th.textContent.trim(); });
      if (!heads.length) return;
      all("tbody tr", table).forEach(function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (heads[index]) cell.setAttribute("data-label", heads[index]);
        });
      });
      table.classList.add("tx-table--labelled");
    });
  }

  function markToday(now) {
    all('[data-tx-date="' + now.date + '"]').forEach(function (cell) {
      cell.classList.add("tx-cal-today");
      cell.setAttribute("aria-current", "date");
    });
  }

  /* Material's drawer and search open through hidden checkboxes; a browser that restores form
     state on going back would reopen them (generator/mkdocs_plugin/templates.py). */
  function closeToggles() {
    ["__drawer", "__search"].forEach(function (id) {
      var toggle = document.getElementById(id);
      if (toggle && toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
    });
  }

  /* The 菜单 button is Material's label of the drawer checkbox: Enter and Space open the drawer
     and move focus into it, Escape closes it and returns focus to the button. */
  function setupMenuButton() {
    var drawer = document.getElementById("__drawer");
    all("[data-tx-menu]").forEach(function (button) {
      function sync() { button.setAttribute("aria-expanded", drawer && drawer.checked ? "true" : "false"); }
      button.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        button.click();  // bubbles to Material's label, which toggles the drawer
        window.setTimeout(function () {
          var first = document.querySelector(".md-sidebar--primary .md-nav__link[href]");
          if (drawer && drawer.checked && first) first.focus();
        }, 50);
      });
      if (drawer) drawer.addEventListener("change", sync);
      sync();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !drawer || !drawer.checked) return;
      drawer.checked = false;
      drawer.dispatchEvent(new Event("change"));
      var button = document.querySelector("[data-tx-menu]");
      if (button) button.focus();
    });
  }

  window.addEventListener("pageshow", function (event) { if (event.persisted) closeToggles(); });
  closeToggles();
  setupMenuButton();
  setupPreferences();
  setupFilters();
  setupPrinting();
  setupPageTools();
  labelTableCells();
  var now = portalNow();
  if (now) {
    correctStates(now);
    showOpeningHours(now);
    markToday(now);
    showPrintDate(now);
    openCalendarOnMonth(now);
  }
  setupOpenNowFilter();
})();
