/* 同心 · what Material's script bundle did for the portal's layout, without the bundle.
   Material's bundle (114 KB) drives its search, instant loading, code blocks, content tabs,
   palette switching and more, none of which the portal uses (Tongxin has its own search;
   generator/mkdocs_plugin/templates.py leaves the bundle out). What the portal's pages do
   use: the back-to-top button (navigation.top), the page title in the header once the
   heading has scrolled away, the header's shadow, keyboard focus rings, Enter on a drawer
   section, Material's p/n keys for the previous and next page, and the scroll wrapper around
   editors' tables. The drawer, its sections and the tabs work without a script (hidden check
   boxes and their labels); the page keeps html.no-js, so Material's stylesheet sizes the
   sidebars without one (tongxin.css adds what that needs). Loaded where Material's bundle
   was, before tongxin.js. */
(function () {
  "use strict";

  var header = document.querySelector("[data-md-component=header]");
  var title = document.querySelector("[data-md-component=header-title]");
  var heading = document.querySelector(".md-content h1");
  var top = document.querySelector("[data-md-component=top]");
  var main = document.querySelector("[data-md-component=main]");
  var drawer = document.getElementById("__drawer");

  /* Material's stylesheet draws keyboard focus rings on elements with the class focus-visible
     (its bundle carried a polyfill that set it): set it where the browser's :focus-visible holds. */
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.matches && target.matches(":focus-visible")) target.classList.add("focus-visible");
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.classList) event.target.classList.remove("focus-visible");
  });

  function headerHeight() { return header ? header.offsetHeight : 0; }

  /* Scrolling, as Material: once the content reaches the header (on a computer: the tabs have
     scrolled away) the header casts a shadow and 回到页首 shows while the visitor scrolls back
     up; the header takes the page's title once the heading is under it. */
  var lastY = window.scrollY;
  var scheduled = false;
  function onScroll() {
    scheduled = false;
    var y = window.scrollY;
    var reached = y >= (main ? main.offsetTop - headerHeight() : 0);
    if (top) {
      var hidden = !(reached && y < lastY && y > 0);
      if (top.hidden !== hidden) {
        top.hidden = hidden;
        if (hidden) {
          top.setAttribute("tabindex", "-1");
          if (document.activeElement === top) top.blur();
        } else {
          top.removeAttribute("tabindex");
        }
      }
      top.style.top = headerHeight() + 16 + "px";
    }
    if (title && heading) {
      var box = heading.getBoundingClientRect();
      title.classList.toggle("md-header__title--active", box.height > 0 && box.bottom <= headerHeight());
    }
    if (header) header.classList.toggle("md-header--shadow", reached);
    lastY = y;
  }
  window.addEventListener("scroll", function () {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(onScroll);
    }
  }, { passive: true });
  onScroll();
  if (top) {
    top.addEventListener("click", function (event) {
      event.preventDefault();
      window.scrollTo({ top: 0 });
    });
  }

  function closeDrawer() {
    if (drawer && drawer.checked) {
      drawer.checked = false;
      drawer.dispatchEvent(new Event("change"));
    }
  }

  /* A drawer link to a heading of this page: the drawer gets out of the way. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".md-sidebar--primary a[href]");
    if (link && link.hash && link.pathname === window.location.pathname) closeDrawer();
  });

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  /* Keys, as Material's: Enter on a drawer section (a label taking focus) opens it; p or ","
     goes to the previous page, n or "." to the next, unless the visitor is typing. */
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var active = document.activeElement;
    if (event.key === "Enter" && active instanceof HTMLLabelElement) {
      event.preventDefault();
      active.click();
      return;
    }
    var rel = { p: "prev", ",": "prev", n: "next", ".": "next" }[event.key];
    var link = rel && document.querySelector("link[rel=" + rel + "]");
    if (link) window.location.href = link.href;
  });

  /* Editors' tables scroll sideways in their own box instead of widening the page: those
     still plain once the page's scripts have run (tongxin.js turns tables with column heads
     into cards on phones), as Material's bundle did. */
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset table:not([class])"), function (table) {
      var scroll = document.createElement("div");
      var box = document.createElement("div");
      scroll.className = "md-typeset__scrollwrap";
      box.className = "md-typeset__table";
      table.parentNode.insertBefore(scroll, table);
      scroll.appendChild(box);
      box.appendChild(table);
    });
  });
})();
