"use strict";
(function () {
  const RANK = {critical: 4, high: 3, medium: 2, low: 1, info: 0};
  const PAGE = 50, PRINT_MAX = 1000;
  const data = JSON.parse(document.getElementById("data").textContent);
  const rows = data.rows, S = data.strings;
  rows.forEach(function (r, i) { r.i = i; r.text = [r.rule, r.name, r.msg, r.where, r.comp].join(" ").toLowerCase(); });
  const tbody = document.querySelector("#findings tbody");
  const $ = function (id) { return document.getElementById(id); };
  const controls = ["q", "sev", "area", "comp", "state"];
  const open = new Set();
  let sortKey = "score", sortDir = -1, page = 0, shown = [], pageSize = PAGE, openAll = false;

  function value(r, key) {
    if (key === "severity") return RANK[r.sev];
    if (key === "score") return r.score * 2 + (r.first ? 1 : 0);
    if (key === "path") return r.where;
    if (key === "message") return r.msg;
    return String(r[key] || "");
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function td(tr, text, cls) { const c = el("td", text); if (cls) c.className = cls; tr.appendChild(c); return c; }

  function filter() {
    const q = $("q").value.toLowerCase(), minSev = $("sev").value, area = $("area").value;
    const comp = $("comp").value, state = $("state").value, supp = $("showsupp").checked;
    shown = rows.filter(function (r) {
      return (supp || r.supp === null) && (!minSev || RANK[r.sev] >= RANK[minSev]) && (!area || r.area === area)
        && (!comp || r.comp === comp) && (!state || r.new === (state === "new")) && (!q || r.text.includes(q));
    });
    shown.sort(function (a, b) {
      const x = value(a, sortKey), y = value(b, sortKey);
      return (x < y ? -1 : x > y ? 1 : a.i - b.i) * (x === y ? 1 : sortDir);
    });
  }

  function detail(r) {
    const tr = el("tr", undefined, "detail"), c = el("td");
    c.colSpan = 7;
    const names = ["user impact", "exploitability", "cost of delay"];
    const ul = el("ul");
    names.forEach(function (n, k) { ul.appendChild(el("li", n + " " + r.factors[k] + ": " + S[r.why[k]])); });
    c.appendChild(el("b", "priority " + r.score + (r.first ? " (ranked first among equals)" : "")));
    c.appendChild(ul);
    if (S[r.fix]) { c.appendChild(el("b", "fix: ")); c.appendChild(el("span", S[r.fix])); }
    if (r.snip) { c.appendChild(el("div")).appendChild(el("code", r.snip)); }
    if (r.more.length) {
      c.appendChild(el("div", (r.n - 1) + " more place(s)" + (r.n - 1 > r.more.length ? " (first " + r.more.length + " listed)" : "") + ":"));
      const places = el("ul");
      r.more.forEach(function (p) { places.appendChild(el("li")).appendChild(el("code", p)); });
      c.appendChild(places);
    }
    tr.appendChild(c);
    return tr;
  }

  function row(r) {
    const tr = el("tr", undefined, "item" + (r.supp !== null ? " suppressed" : ""));
    tr.dataset.i = r.i;
    td(tr, String(r.score), "num");
    td(tr, "").appendChild(el("span", r.sev, "sev sev-" + r.sev));
    td(tr, r.rule + " " + r.name);
    td(tr, r.area);
    td(tr, r.comp || "-");
    const w = td(tr, "");
    w.appendChild(el("code", r.where));
    if (r.n > 1) w.appendChild(el("span", "+" + (r.n - 1), "tag"));
    const m = td(tr, r.msg + (r.supp !== null ? " (suppressed: " + r.supp + ")" : ""));
    if (r.new) m.appendChild(el("span", "new", "tag"));
    return tr;
  }

  function draw() {
    const pages = Math.max(1, Math.ceil(shown.length / pageSize));
    page = Math.min(page, pages - 1);
    const frag = document.createDocumentFragment();
    for (const r of shown.slice(page * pageSize, (page + 1) * pageSize)) {
      frag.appendChild(row(r));
      if (openAll || open.has(r.i)) frag.appendChild(detail(r));
    }
    tbody.replaceChildren(frag);
    $("count").textContent = shown.length + " of " + rows.length + " item(s)";
    $("page").textContent = "page " + (page + 1) + " of " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
  }

  function save() {
    const p = new URLSearchParams();
    controls.forEach(function (id) { if ($(id).value) p.set(id, $(id).value); });
    if ($("showsupp").checked) p.set("suppressed", "1");
    if (sortKey !== "score" || sortDir !== -1) { p.set("sort", sortKey); p.set("dir", sortDir > 0 ? "asc" : "desc"); }
    if (page) p.set("page", String(page + 1));
    const comp = /(?:^|[#&])component=[^&]*/.exec(location.hash);
    const text = p.toString() + (comp ? (p.toString() ? "&" : "") + comp[0].replace(/^[#&]/, "") : "");
    history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
  }

  function update(resetPage) { if (resetPage) page = 0; filter(); draw(); save(); }

  function markSort() {
    document.querySelectorAll("#findings th").forEach(function (h) {
      if (h.dataset.key === sortKey) h.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else h.removeAttribute("aria-sort");
    });
  }

  document.querySelectorAll("#findings th[data-key]").forEach(function (th) {
    th.addEventListener("click", function () {
      const key = th.dataset.key;
      sortDir = key === sortKey ? -sortDir : (key === "score" || key === "severity" ? -1 : 1);
      sortKey = key;
      markSort();
      update(true);
    });
  });
  tbody.addEventListener("click", function (e) {
    const tr = e.target.closest("tr.item");
    if (!tr) return;
    const i = Number(tr.dataset.i);
    openAll = false;
    if (open.has(i)) open.delete(i); else open.add(i);
    draw();
  });
  controls.concat(["showsupp"]).forEach(function (id) { $(id).addEventListener("input", function () { update(true); }); });
  $("prev").addEventListener("click", function () { page -= 1; draw(); save(); });
  $("next").addEventListener("click", function () { page += 1; draw(); save(); });
  window.addEventListener("beforeprint", function () {
    pageSize = PRINT_MAX; page = 0; draw();
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () { pageSize = PAGE; draw(); });

  // a link carries the view: report.html#q=orders&sev=high&area=security&comp=api&state=new&sort=path&dir=asc&page=2
  // (&details=1 opens every row's details)
  const params = new URLSearchParams(location.hash.slice(1));
  controls.forEach(function (id) { if (params.has(id)) $(id).value = params.get(id); });
  $("showsupp").checked = params.get("suppressed") === "1";
  openAll = params.get("details") === "1";
  if (params.has("sort")) { sortKey = params.get("sort"); sortDir = params.get("dir") === "asc" ? 1 : -1; }
  markSort();
  filter();
  page = Math.max(0, (Number(params.get("page")) || 1) - 1);
  draw();
  document.documentElement.dataset.rendered = String(Math.round(performance.now()));
})();
