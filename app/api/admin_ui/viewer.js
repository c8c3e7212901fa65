// The trace viewer. Every record comes from the admin routes with the key typed into the page,
// sent as a bearer header; the key lives in this script's memory only. Every text of a record is
// written with textContent / Text nodes, never parsed as HTML.
"use strict";

(() => {
  let adminKey = null;
  let nextBefore = null;

  const $ = (id) => document.getElementById(id);

  // An element with a class and children (strings become Text nodes: never markup).
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  function say(message, isError = false) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("error", isError);
  }

  async function api(path) {
    if (!adminKey) throw new Error("type an admin key first");
    const response = await fetch(path, {
      headers: { Authorization: "Bearer " + adminKey },
      credentials: "omit",
      cache: "no-store",
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const why = body && body.error ? body.error.message : response.statusText;
      throw new Error(`${response.status}: ${why}`);
    }
    return body;
  }

  // A text of a record: kept as it was, or only its digest (`store: false`).
  function textOf(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return value;
    if (typeof value === "object" && (value.sha256 || value.hmac_sha256)) return "(not kept: only its digest)";
    return String(value);
  }

  const fixed = (x, digits = 3) => (typeof x === "number" ? x.toFixed(digits) : "—");
  const ms = (seconds) => (typeof seconds === "number" ? `${Math.round(seconds * 1000)} ms` : "—");

  // A score in [0, 1] as a color from red (0) through yellow to green (1).
  function scoreColor(score) {
    if (typeof score !== "number") return "#bbb";
    return `hsl(${Math.round(Math.max(0, Math.min(1, score)) * 120)}, 65%, 45%)`;
  }

  // ---- the list ------------------------------------------------------------------------------

  function utc(value) {
    return value ? new Date(value + "Z").toISOString() : null;
  }

  async function loadList(more) {
    const query = new URLSearchParams({ limit: "50" });
    const filters = {
      key_id: $("f-key").value.trim(),
      kind: $("f-kind").value,
      since: utc($("f-since").value),
      until: utc($("f-until").value),
    };
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    if (more && nextBefore) query.set("before_seq", String(nextBefore));
    const data = await api("/admin/traces?" + query);
    const rows = $("records").tBodies[0];
    if (!more) rows.replaceChildren();
    for (const record of data.records) rows.append(listRow(record));
    nextBefore = data.next_before_seq;
    $("older").hidden = nextBefore === null;
    say(`${rows.rows.length} records shown (newest first); this list is itself recorded as a read.`);
  }

  function listRow(record) {
    const request = record.request_id || "—";
    const open = el("td", "request");
    if (record.kind === "solve" && record.request_id) {
      const link = el("a", null, request);
      link.href = "#trace/" + encodeURIComponent(record.request_id);
      open.append(link);
    } else {
      open.append(request);
    }
    const verified = record.verified === null || record.verified === undefined ? "—" : record.verified ? "yes" : "no";
    const row = el(
      "tr",
      "kind-" + record.kind,
      el("td", null, String(record.seq)),
      el("td", null, record.created_at.replace("T", " ").slice(0, 19)),
      el("td", null, record.kind),
      open,
      el("td", null, record.key_id),
      el("td", "answer", record.answer ?? (record.kind === "solve" && !record.stored ? "(hashed)" : "—")),
      el("td", null, fixed(record.confidence)),
      el("td", null, verified),
      el("td", null, record.n === null || record.n === undefined ? "—" : String(record.n)),
      el("td", null, ms(record.total_s)),
    );
    return row;
  }

  // ---- one record ----------------------------------------------------------------------------

  async function openRecord(requestId) {
    $("list-view").hidden = true;
    $("record-view").hidden = false;
    const holder = $("record");
    holder.replaceChildren(el("p", null, "Loading…"));
    const data = await api("/admin/traces/" + encodeURIComponent(requestId));
    showRecord(data, data.records.length - 1);
    say(`Record ${requestId} opened; this read is recorded in the audit store.`);
  }

  function showRecord(data, which) {
    const record = data.records[which];
    const content = record.content;
    const holder = $("record");
    holder.replaceChildren(
      heading(data, record, which),
      facts(content),
      el("div", "columns", summaryPanel(content), votePanel(content)),
      chainsPanel(content),
      detailsPanel(content),
      chainPanel(record),
    );
    checkChain(record.seq);
  }

  function heading(data, record, which) {
    const box = el("div", "heading", el("h2", null, "Request ", el("code", null, data.request_id)));
    const meta = `record ${record.seq} · ${record.created_at} · key ${record.key_id}` + (record.stored ? "" : " · texts not kept (store: false)");
    box.append(el("p", "meta", meta));
    if (data.records.length > 1) {
      const picker = el("p", "picker", "Answer and continuations: ");
      data.records.forEach((r, i) => {
        const button = el("button", i === which ? "current" : null, i === 0 ? "answer" : `continuation ${i}`);
        button.type = "button";
        button.addEventListener("click", () => showRecord(data, i));
        picker.append(button);
      });
      box.append(picker);
    }
    return box;
  }

  // A panel of named facts: [name, value] pairs, a value text or a node (`ddClass` marks a value
  // filled in later).
  function factsPanel(title, entries) {
    const list = el("dl", "facts");
    for (const [name, value, ddClass] of entries) list.append(el("dt", null, name), el("dd", ddClass, value));
    return el("section", "panel", el("h3", null, title), list);
  }

  function facts(content) {
    const params = content.params || {};
    return factsPanel("The answer", [
      ["Problem", textOf(params.problem)],
      ["Answer", textOf(content.answer)],
      ["Confidence", `${fixed(content.confidence)}${content.calibrated ? " (calibrated)" : " (vote share)"}`],
      ["Verified", content.verified ? "yes" : "no"],
      ["Chains", `${(content.chains || []).length} (strategy ${params.strategy ?? "—"}, N ${params.n ?? "—"})`],
    ]);
  }

  function summaryPanel(content) {
    const chains = content.chains || [];
    const winner = chains.find((c) => c.index === content.selected_chain);
    const steps = el("ol", "winner-steps");
    if (winner) {
      (winner.steps || []).forEach((step, i) => {
        const score = (winner.step_scores || [])[i];
        const badge = el("span", "badge", fixed(score, 2));
        badge.style.backgroundColor = scoreColor(score);
        const verdict = ((winner.step_checks || [])[i] || {}).verdict;
        const mark = verdict === "fail" ? " ✗ " : verdict === "pass" ? " ✓ " : " ";
        steps.append(el("li", null, badge, mark, textOf(step)));
      });
    }
    return el(
      "section",
      "panel summary",
      el("h3", null, "The summary shown, beside the winning chain"),
      el("div", "side-by-side",
        el("div", null, el("h4", null, "Summary (what the client saw)"), el("p", "summary-text", textOf(content.summary))),
        el("div", null, el("h4", null, winner ? `Chain #${winner.index}'s steps` : "No winning chain"), steps)),
    );
  }

  function votePanel(content) {
    const clusters = content.clusters || [];
    const width = 560;
    const barHeight = 22;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${Math.max(1, clusters.length) * (barHeight + 6)}`, role: "img", class: "votes" });
    const most = Math.max(1e-9, ...clusters.map((c) => c.weight));
    clusters.forEach((cluster, i) => {
      const y = i * (barHeight + 6);
      const barWidth = Math.max(2, (cluster.weight / most) * (width - 320));
      chart.append(svg("rect", { x: 110, y, width: barWidth, height: barHeight, class: i === 0 ? "bar leader" : "bar" }));
      const label = svg("text", { x: 104, y: y + barHeight * 0.7, "text-anchor": "end", class: "label" });
      label.textContent = textOf(cluster.answer).slice(0, 16);
      const value = svg("text", { x: 116 + barWidth, y: y + barHeight * 0.7, class: "value" });
      value.textContent = `${cluster.count} chains · weight ${fixed(cluster.weight, 2)}`;
      chart.append(label, value);
    });
    const caption = clusters.length ? "Votes by answer: bar length is the PRM-weighted vote." : "No chain voted.";
    return el("section", "panel", el("h3", null, "The vote"), chart, el("p", "caption", caption));
  }

  function chainsPanel(content) {
    const chains = content.chains || [];
    const pruned = new Map((content.pruned || []).map((p) => [p.index, p]));
    const detail = el("div", "step-detail", "Click a step to read it.");
    const grid = el("div", "grid");
    for (const chain of chains) {
      const cut = pruned.get(chain.index);
      const classes = ["chain"];
      if (chain.index === content.selected_chain) classes.push("winner");
      if (cut) classes.push("pruned");
      if (chain.finish_reason === "length") classes.push("truncated");
      const label = el("div", "chain-label", `#${chain.index}`);
      const tags = [];
      if (chain.index === content.selected_chain) tags.push("winner");
      if (cut) tags.push(`cut after ${cut.steps_scored} steps`);
      if (chain.finish_reason === "length") tags.push("ran out of tokens");
      if (!(chain.steps || []).length && !cut) tags.push("stopped before its first step");
      if (chain.votes === false) tags.push("no vote");
      else if (typeof chain.chain_score === "number") tags.push(`score ${fixed(chain.chain_score, 2)}`);
      const cells = el("div", "cells");
      (chain.steps || []).forEach((step, i) => cells.append(stepCell(chain, step, i, detail, cut)));
      if (cut) cells.append(el("span", "cut-mark", "✂ cut"));
      const answer = el("div", "chain-answer", textOf(chain.answer), tags.length ? ` · ${tags.join(" · ")}` : "");
      grid.append(el("div", classes.join(" "), label, cells, answer));
    }
    return el("section", "panel", el("h3", null, "Every chain, step by step (color: the PRM's score)"), grid, detail);
  }

  // A cut chain keeps no final scores: the step it was cut at shows the score that cut it, the
  // steps after it (decoded, never scored) stay grey.
  function stepCell(chain, step, i, detail, cut) {
    const cutHere = cut && i === cut.steps_scored - 1;
    const score = cutHere ? cut.score : (chain.step_scores || [])[i];
    const check = (chain.step_checks || [])[i];
    const failed = check && check.verdict === "fail";
    const cell = el("button", `step${cutHere ? " cut-at" : ""}${failed ? " check-failed" : ""}`, String(i + 1));
    cell.type = "button";
    cell.style.backgroundColor = scoreColor(score);
    const scored = cutHere ? `the search cut the chain here, at score ${fixed(score)}` : `score ${fixed(score)}`;
    const what = failed ? `${scored}; found false by ${check.checker}` : scored;
    cell.title = `step ${i + 1}: ${what}`;
    cell.addEventListener("click", () => {
      const parts = [el("h4", null, `Chain #${chain.index}, step ${i + 1}: ${what}`), el("pre", "step-text", textOf(step))];
      if (check && check.verdict !== "none") {
        parts.push(el("p", null, `Check (${check.checker}): ${check.verdict} — the claim ${textOf(check.claim)}; `
          + `computed ${textOf(check.value)} in ${fixed(check.elapsed_ms, 2)} ms`));
      }
      detail.replaceChildren(...parts);
    });
    return cell;
  }

  function detailsPanel(content) {
    const usage = content.usage || {};
    const timings = content.timings || {};
    const counts = content.counts || {};
    const search = content.search;
    return factsPanel("Cost and search", [
      ["Tokens", `prompt ${usage.prompt_tokens ?? "—"} · reasoning ${usage.reasoning_tokens ?? "—"} · scored ${usage.scored_tokens ?? "—"}`],
      ["Time", `generate ${ms(timings.generate_s)} · score ${ms(timings.score_s)} · select ${ms(timings.select_s)} · total ${ms(timings.total_s)}`],
      ["Chains", `sampled ${counts.sampled ?? "—"} · voted ${counts.voted ?? "—"} · truncated ${counts.truncated ?? "—"} · unscored ${counts.unscored ?? "—"}`],
      ["Search", search ? `started ${search.started} · pruned ${search.pruned} · finished ${search.finished} · stopped: ${search.stop_reason}` : "none (fixed N)"],
    ]);
  }

  function chainPanel(record) {
    return factsPanel("Its place in the hash chain", [
      ["Previous hash", el("code", null, record.prev_hash)],
      ["Hash", el("code", null, record.hash)],
      ["Verified", "checking…", "chain-state"],
    ]);
  }

  async function checkChain(seq) {
    try {
      const state = await api("/admin/chain?through_seq=" + seq);
      const text = state.ok
        ? `yes: the chain holds from its start through record ${seq} (${state.checked} records checked)`
        : `NO: ${state.problems.join("; ")}`;
      for (const node of document.querySelectorAll(".chain-state")) {
        node.textContent = text;
        node.classList.toggle("error", !state.ok);
      }
    } catch (error) {
      for (const node of document.querySelectorAll(".chain-state")) node.textContent = String(error.message);
    }
  }

  // ---- navigation ------------------------------------------------------------------------------

  async function route() {
    const match = location.hash.match(/^#trace\/(.+)$/);
    try {
      if (match) {
        await openRecord(decodeURIComponent(match[1]));
      } else {
        $("record-view").hidden = true;
        $("list-view").hidden = false;
        if (adminKey) await loadList(false);
      }
    } catch (error) {
      say(error.message, true);
    }
  }

  function start() {
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      adminKey = $("key").value.trim() || null;
      $("key").value = "";
      route();
    });
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      loadList(false).catch((error) => say(error.message, true));
    });
    $("older").addEventListener("click", () => loadList(true).catch((error) => say(error.message, true)));
    $("back").addEventListener("click", () => {
      location.hash = "";
    });
    window.addEventListener("hashchange", route);
  }

  start();
})();
