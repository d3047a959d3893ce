/* Tongxin: applies the resident's 大字模式 / 高对比度 choice before the page is drawn.
   Loaded in <head> on purpose (a file, not inline code), so pages never flash small text. */
(function () {
  var root = document.documentElement;
  var names = ["large", "contrast"];
  for (var i = 0; i < names.length; i++) {
    try {
      if (window.localStorage.getItem("tx-pref-" + names[i]) === "1") {
        root.classList.add("tx-" + names[i]);
      }
    } catch (e) {
      /* Opened from disk or in private mode: storage may be missing or throw; keep defaults. */
    }
  }
})();
