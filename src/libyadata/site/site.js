"use strict";
// The evidence viewer. Data arrive as JSON and are written with textContent only.
// Offsets: the data give code points; the page uses the UTF-16 offsets (u16_start/u16_end)
// computed at build time, because JavaScript strings count UTF-16 units.
(function () {
  const D = JSON.parse(document.getElementById("libyadata-data").textContent);
  const byKey = new Map(D.records.map(r => [r.key, r]));
  const mentionByKey = new Map(D.mentions.map(m => [m.key, m]));
  const segmentsOf = new Map();   // record or mention key -> its <mark>/<span> elements, in text order
  const cardOf = new Map();
  const actorName = new Map(D.actors.map(a => [a.id, a.name]));

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function link(key, label) {
    return el("a", {href: "#" + encodeURI(key)}, label || key);
  }
  function label(key) {
    const r = byKey.get(key);
    if (!r) return key;
    return r.table === "actors" ? (actorName.get(r.id) || r.id) : r.id;
  }

  // --- the text, cut at every span boundary --------------------------------------------
  function renderText() {
    const text = D.text;
    const spans = [];
    for (const r of D.records) if (r.span) spans.push({key: r.key, s: r.span.u16_start, e: r.span.u16_end,
      kind: r.table === "exclusions" ? "excluded" : "ev"});
    for (const m of D.mentions) spans.push({key: m.key, s: m.u16_start, e: m.u16_end, kind: "mention"});
    const cuts = new Set([0, text.length]);
    for (const sp of spans) { cuts.add(sp.s); cuts.add(sp.e); }
    const points = [...cuts].sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    let stats = {cited: 0, excluded: 0, uncited: 0};
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const piece = text.slice(a, b);
      const cover = spans.filter(sp => sp.s <= a && sp.e >= b);
      const ev = cover.filter(sp => sp.kind === "ev"), ex = cover.filter(sp => sp.kind === "excluded"),
            mn = cover.filter(sp => sp.kind === "mention");
      let node;
      if (ev.length || mn.length) {
        node = el("mark", {class: ev.length ? "ev" : "ev mention", "data-depth": String(Math.min(ev.length, 3))}, piece);
        node.dataset.records = ev.map(sp => sp.key).join(" ");
        node.dataset.mentions = mn.map(sp => sp.key).join(" ");
        stats.cited += piece.length;
      } else if (ex.length) {
        node = el("span", {class: "excluded", title: "excluded: " + ex.map(sp => sp.key).join(", ")}, piece);
        node.dataset.records = ex.map(sp => sp.key).join(" ");
        stats.excluded += piece.length;
      } else if (piece.trim()) {
        node = el("span", {class: "uncited", title: "no record cites this text"}, piece);
        stats.uncited += piece.length;
      } else {
        node = document.createTextNode(piece);
      }
      for (const sp of cover) {
        if (!segmentsOf.has(sp.key)) segmentsOf.set(sp.key, []);
        segmentsOf.get(sp.key).push(node);
      }
      frag.append(node);
    }
    document.getElementById("text").append(frag);
    return stats;
  }

  // --- cards -----------------------------------------------------------------------------
  const mentionsOf = new Map();    // record key -> the keys of its mentions
  for (const m of D.mentions) {
    if (!mentionsOf.has(m.record)) mentionsOf.set(m.record, []);
    mentionsOf.get(m.record).push(m.key);
  }
  function renderCards() {
    const box = document.getElementById("records");
    for (const r of D.records) {
      const card = el("article", {class: "card", id: "card-" + r.key, "data-table": r.table,
        "data-modality": r.modality || "", "data-actors": r.actors.join(" ")});
      const attribution = [];
      const who = id => id === "article" ? "the article" : (actorName.get(id) || id);
      if (r.asserted_by) attribution.push("asserted by " + who(r.asserted_by));
      if (r.holder) attribution.push("held by " + who(r.holder));
      if (r.modality) attribution.push("modality: " + r.modality);
      card.append(el("div", {class: "table"}, link(r.key, r.table + " / " + r.id)),
                  el("h3", {}, r.title));
      if (attribution.length) card.append(el("p", {class: "attribution"}, attribution.join(" · ")));
      if (r.span) {
        card.append(el("blockquote", {dir: "auto"}, r.span.quote),
                    el("div", {class: "nospan"}, `code points ${r.span.start}–${r.span.end}`));
      } else {
        card.append(el("div", {class: "nospan"}, "no span of its own (a row that links records)"));
      }
      const dl = el("dl");
      for (const f of r.fields) {
        const dd = el("dd", {}, f.value);
        if (f.meaning) dd.title = f.vocabulary + ": " + f.meaning;
        dl.append(el("dt", {}, f.name), dd);
      }
      card.append(dl);
      const links = el("p", {class: "links"});
      for (const l of r.links) links.append(el("span", {}, l.field + " → "), link(l.to, label(l.to)), " ");
      if (r.named_by.length) {
        links.append(el("br"), "named by: ");
        for (const k of r.named_by) links.append(link(k, k), " ");
      }
      const ms = mentionsOf.get(r.key) || [];
      if (ms.length) {
        links.append(el("br"), "also stated at: ");
        ms.forEach((k, i) => links.append(link(k, "mention " + (i + 1)), " "));
      }
      card.append(links);
      card.addEventListener("click", ev => { if (!ev.target.closest("a")) location.hash = encodeURI(r.key); });
      cardOf.set(r.key, card);
      box.append(card);
    }
  }

  // --- filters ---------------------------------------------------------------------------
  const sel = {table: document.getElementById("filter-table"), actor: document.getElementById("filter-actor"),
               modality: document.getElementById("filter-modality")};
  function fillFilters() {
    for (const t of D.tables) sel.table.append(el("option", {value: t.name}, `${t.title} (${t.count})`));
    for (const a of D.actors) sel.actor.append(el("option", {value: a.id}, a.name));
    const modalities = [...new Set(D.records.map(r => r.modality).filter(Boolean))].sort();
    for (const m of modalities) sel.modality.append(el("option", {value: m}, m));
    if (!modalities.length) { sel.modality.disabled = true; sel.modality.title = "this version records no modality"; }
    for (const s of Object.values(sel)) s.addEventListener("change", applyFilters);
  }
  function visible(r) {
    return (!sel.table.value || r.table === sel.table.value) &&
           (!sel.actor.value || r.actors.includes(sel.actor.value)) &&
           (!sel.modality.value || r.modality === sel.modality.value);
  }
  function applyFilters() {
    let shown = 0;
    const on = new Set();
    for (const r of D.records) {
      const v = visible(r);
      cardOf.get(r.key).hidden = !v;
      if (v) { shown++; on.add(r.key); }
    }
    for (const m of document.querySelectorAll("#text mark.ev")) {
      const keys = m.dataset.records.split(" ").filter(Boolean);
      m.classList.toggle("dim", keys.length > 0 && !keys.some(k => on.has(k)));
    }
    document.getElementById("shown").textContent = `${shown} of ${D.records.length} records shown`;
  }

  // --- deep links --------------------------------------------------------------------------
  function go() {
    const key = decodeURI(location.hash.slice(1));
    for (const e of document.querySelectorAll(".current, .current-mention")) e.classList.remove("current", "current-mention");
    if (!key) return;
    const m = mentionByKey.get(key);
    const recordKey = m ? m.record : key;
    const card = cardOf.get(recordKey);
    if (!card && !m) return;
    if (card && card.hidden) { for (const s of Object.values(sel)) s.value = ""; applyFilters(); }
    const segs = segmentsOf.get(key) || [];
    for (const s of segs) s.classList.add("current");
    // the record's further statements (mentions) are outlined too
    for (const mk of mentionsOf.get(recordKey) || [])
      if (mk !== key) for (const s of segmentsOf.get(mk) || []) s.classList.add("current-mention");
    if (card) { card.classList.add("current"); card.scrollIntoView({block: "nearest"}); }
    if (segs.length) segs[0].scrollIntoView({block: "center"});
  }
  function onTextClick(ev) {
    const m = ev.target.closest("mark");
    if (!m) return;
    const keys = (m.dataset.records || "").split(" ").filter(Boolean)
      .concat((m.dataset.mentions || "").split(" ").filter(Boolean));
    // the innermost span: the one with the fewest segments
    keys.sort((a, b) => (segmentsOf.get(a) || []).length - (segmentsOf.get(b) || []).length);
    if (keys.length) location.hash = encodeURI(keys[0]);
  }

  // --- header, cite box --------------------------------------------------------------------
  document.getElementById("title").textContent = D.title;
  document.getElementById("source-title").textContent = D.source.title;
  const stats = renderText();
  renderCards();
  fillFilters();
  applyFilters();
  const total = stats.cited + stats.excluded + stats.uncited;
  const pct = n => total ? (100 * n / total).toFixed(1) + "%" : "0%";
  document.getElementById("about").textContent =
    `Version ${D.version} · ${D.records.length} records in ${D.tables.length} tables · source: ` +
    `${D.source.publisher}, ${D.source.published} · text ${pct(stats.cited)} cited, ` +
    `${pct(stats.excluded)} excluded, ${pct(stats.uncited)} uncited`;
  document.getElementById("cite-text").textContent = D.cite.text;
  document.getElementById("cite-bibtex").textContent = D.cite.bibtex;
  document.getElementById("cite-copy").addEventListener("click", () => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById("cite-bibtex"));
    const s = getSelection(); s.removeAllRanges(); s.addRange(range);
    if (navigator.clipboard) navigator.clipboard.writeText(D.cite.bibtex).catch(() => {});
  });
  document.getElementById("text").addEventListener("click", onTextClick);
  window.addEventListener("hashchange", go);
  go();
  document.documentElement.dataset.ready = "1";
})();
