/* Tongxin portal script: everything here works from disk (file://) and makes no network request.

   - 大字模式 / 高对比度 switches (remembered in localStorage when the browser allows it);
   - notice (公示中 / 今天截止 / 即将公示 / 已结束) and lecture (即将举行 / 进行中 / 已结束) badges
     corrected by the visitor's clock, read in the portal's time zone (meta tx-timezone), items
     moved between lists (今天截止 stays with 公示中, 进行中 with the coming lectures);
   - "现在开放 / 已关闭 / 今日 HH:MM 开放" for places from their structured hours;
   - the organisation directory filters; the print button; today's cell in the lecture calendar. */
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
      var holder = button.closest(".tx-print-action");
      if (holder) holder.hidden = false;
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

  window.addEventListener("pageshow", function (event) { if (event.persisted) closeToggles(); });
  closeToggles();
  setupPreferences();
  setupFilters();
  setupPrinting();
  var now = portalNow();
  if (now) {
    correctStates(now);
    showOpeningHours(now);
    markToday(now);
  }
})();
