// padan: draws Vega-Lite charts from <script type="application/json"> blocks (no inline
// scripts: the Content-Security-Policy forbids them) and wires small conveniences.
(function () {
  "use strict";
  var LOCALE = {
    format: { decimal: ",", thousands: ".", grouping: [3], currency: ["Rp", ""] },
    time: {
      dateTime: "%A, %e %B %Y %X", date: "%d/%m/%Y", time: "%H.%M.%S", periods: ["", ""],
      days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
      shortDays: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
      months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"],
      shortMonths: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    }
  };
  function drawCharts(root) {
    if (!window.vegaEmbed) return;
    (root || document).querySelectorAll(".chart[data-spec]:not([data-drawn])").forEach(function (el) {
      var block = document.getElementById(el.getAttribute("data-spec"));
      if (!block) return;
      el.setAttribute("data-drawn", "1");
      var spec = JSON.parse(block.textContent);
      window.vegaEmbed(el, spec, {
        actions: false, renderer: "svg", formatLocale: LOCALE.format, timeFormatLocale: LOCALE.time,
        tooltip: { theme: "light" }
      }).then(function (res) {
        // Clicking a bar opens its region (href field) in the same tab.
        res.view.addEventListener("click", function (event, item) {
          if (item && item.datum && item.datum.href) { window.location.href = item.datum.href; }
        });
      }).catch(function (err) { el.textContent = "Grafik tidak dapat ditampilkan: " + err; });
    });
  }
  function autosubmit(root) {
    (root || document).querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(); autosubmit(); });
  window.addEventListener("load", function () { drawCharts(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawCharts(e.target); });
})();
