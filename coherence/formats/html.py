"""``html``: one self-contained page for editors: each article as written, its flags in context.

No network: the CSS and the small script are inline, nothing is loaded from anywhere. The article
text is shown exactly as ``report.text`` holds it (``white-space: pre-wrap`` keeps its paragraphs and
line breaks), and every piece of it is escaped. Each flagged sentence carries its severity as colour
*and* as a text label and underline style, so the page also reads in greyscale and on paper.

``coherence review`` serves the same page with ``review`` set: the script then adds accept / dismiss
/ undo controls to each finding and talks to the server's JSON API (see docs/review.md).
"""

from __future__ import annotations

import hashlib
import json
from base64 import b64encode
from html import escape

from ..findings import FileReport, Finding, Severity, Suppression
from ..fingerprints import finding_fingerprint

SEVERITIES = (Severity.error, Severity.warning, Severity.suggestion)

_CSS = """
:root{--err:#b3261e;--err-bg:#fde7e5;--warn:#8a5a00;--warn-bg:#fff1c9;--sug:#1d5fa8;--sug-bg:#e3efff;
--grey:#6b6b6b;--line:#d6d6d6;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b}
body{margin:0 auto;max-width:78rem;padding:1rem 1.5rem 4rem;line-height:1.45;background:#fafafa}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.2rem;margin:0 0 .5rem;word-break:break-all}
h3{font-size:1rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid var(--line);padding:.15rem .5rem;text-align:left}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.report{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem 1.25rem;margin:1.5rem 0}
.summary{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:flex-start}
.score{font-size:1.6rem;font-weight:600}.muted{color:var(--grey)}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:1.5rem;margin-top:1rem}
.text{white-space:pre-wrap;font-family:Georgia,"Times New Roman",serif;font-size:1.05rem;line-height:1.6;max-width:46rem}
.s{border-radius:2px;cursor:pointer}.s:hover,.s:focus,.s.current{outline:2px solid #7a7a7a;outline-offset:1px}
.s.headline{font-weight:700;font-size:1.2rem}
.s.flag-error{background:var(--err-bg);text-decoration:underline solid var(--err) 2px}
.s.flag-warning{background:var(--warn-bg);text-decoration:underline dashed var(--warn) 2px}
.s.flag-suggestion{background:var(--sug-bg);text-decoration:underline dotted var(--sug) 2px}
.s.flag-suppressed,.s.decided-dismiss{background:#eee;text-decoration:line-through #999 1px}
.tag{font:600 .7rem/1 system-ui,sans-serif;border-radius:3px;padding:.1rem .3rem;margin:0 .2rem;
white-space:nowrap;text-decoration:none;vertical-align:.15em;user-select:none;border:1px solid}
.tag.sev-error{color:var(--err);border-color:var(--err)}.tag.sev-warning{color:var(--warn);border-color:var(--warn)}
.tag.sev-suggestion{color:var(--sug);border-color:var(--sug)}.tag.suppressed,.tag.link{color:var(--grey);border-color:#bbb}
.panel{position:sticky;top:1rem;align-self:start;border:1px solid var(--line);border-radius:6px;padding:.75rem;
font-size:.9rem;background:#fcfcfc}
.bar{display:inline-block;height:.55rem;background:#888;vertical-align:middle;margin-left:.3rem}
.findings{list-style:none;padding:0;margin:0}
.finding{border-left:4px solid var(--line);padding:.4rem .7rem;margin:.4rem 0;background:#fff}
.finding.sev-error{border-color:var(--err)}.finding.sev-warning{border-color:var(--warn)}
.finding.sev-suggestion{border-color:var(--sug)}
.finding.suppressed,.finding[data-decision=dismiss]{opacity:.6;border-color:#bbb;background:#f4f4f4}
.finding:target{outline:2px solid #7a7a7a}
.loc{font-family:ui-monospace,monospace;font-size:.85rem}.quote{font-family:Georgia,serif;color:#333}
.why{font-style:italic;color:var(--grey)}
.error-box{border:2px solid var(--err);background:var(--err-bg);padding:.6rem;border-radius:4px}
.controls{margin-top:.35rem;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.controls input[type=text]{flex:1;min-width:12rem;font:inherit;padding:.15rem .3rem}
.controls button{font:inherit;padding:.1rem .6rem;cursor:pointer}
.state{font-size:.85rem;font-weight:600}.toolbar{margin:.5rem 0}
nav ol{padding-left:1.2rem}
@media (max-width:60rem){.layout{grid-template-columns:1fr}.panel{position:static}}
@media print{
 body{background:#fff;max-width:none;padding:0;font-size:10.5pt}
 .panel,.controls,.toolbar,.no-print{display:none!important}
 .layout{display:block}.report{border:none;padding:0;margin:0 0 1rem;break-before:page}
 .report:first-of-type{break-before:auto}
 .finding,.tag,.s{print-color-adjust:exact;-webkit-print-color-adjust:exact}
 .finding{break-inside:avoid}.s:hover,.s.current{outline:none}
 a{color:inherit;text-decoration:none}
}
"""

# Constant, so the review server can allow exactly this script by its hash (Content-Security-Policy);
# what it needs to know about the page comes from the JSON block ``#coherence-config``.
SCRIPT = r"""
(function(){
"use strict";
var config=JSON.parse(document.getElementById("coherence-config").textContent);
function $(sel,root){return (root||document).querySelector(sel);}
function all(sel,root){return Array.prototype.slice.call((root||document).querySelectorAll(sel));}
function show(span){
  var report=span.closest(".report"),panel=$(".panel",report);if(!panel)return;
  all(".s.current",report).forEach(function(s){s.classList.remove("current");});
  span.classList.add("current");
  var scores=JSON.parse(span.getAttribute("data-scores")||"{}");
  var table=document.createElement("table");
  Object.keys(scores).forEach(function(k){
    var v=scores[k],tr=table.insertRow(),th=document.createElement("th"),td=tr.insertCell(),bar=document.createElement("span");
    th.textContent=k.replace(/_/g,"-");tr.insertBefore(th,td);td.className="n";td.textContent=v.toFixed(2);
    bar.className="bar";bar.style.width=Math.round(v*60)+"px";td.appendChild(bar);});
  $(".panel-title",panel).textContent="Sentence "+span.getAttribute("data-sentence")+
    " (line "+span.getAttribute("data-line")+")";
  var body=$(".panel-body",panel);body.textContent="";body.classList.remove("muted");body.appendChild(table);
  var flags=$(".panel-flags",panel);flags.textContent="";
  (span.getAttribute("data-findings")||"").split(" ").filter(Boolean).forEach(function(id){
    var li=document.getElementById(id);if(!li)return;
    var p=document.createElement("p");p.textContent=li.getAttribute("data-severity")+" ["+
      li.getAttribute("data-rule")+"] "+$(".msg",li).textContent;flags.appendChild(p);});
}
all(".s").forEach(function(s){
  s.addEventListener("mouseenter",function(){show(s);});
  s.addEventListener("focus",function(){show(s);});
  s.addEventListener("click",function(){show(s);});
});
if(!config.review)return;

var reviewer=$("#reviewer");
try{var saved=window.localStorage.getItem("coherence-reviewer");if(saved)reviewer.value=saved;}catch(e){}
reviewer.addEventListener("change",function(){try{window.localStorage.setItem("coherence-reviewer",reviewer.value);}catch(e){}});

function key(path,fp){return path+"\u0000"+fp;}
function render(li,d){
  var state=$(".state",li);
  if(d){li.setAttribute("data-decision",d.decision);
    state.textContent=(d.decision==="dismiss"?"Dismissed":"Accepted")+" by "+d.reviewer+
      (d.comment?": \u201c"+d.comment+"\u201d":"")+" ("+d.time.replace("T"," ").slice(0,16)+" UTC)";
  }else{li.removeAttribute("data-decision");state.textContent="Not reviewed";}
  var span=document.getElementById(li.getAttribute("data-sentence-id"));
  if(span){var dismissed=all("li.finding[data-decision=dismiss]").some(function(o){
      return o.getAttribute("data-sentence-id")===span.id;});
    span.classList.toggle("decided-dismiss",dismissed);}
}
function items(path,fp){return all("li.finding.reviewable").filter(function(li){
  return li.getAttribute("data-path")===path&&li.getAttribute("data-fingerprint")===fp;});}
function call(url,body){
  return fetch(url,{method:"POST",credentials:"same-origin",
    headers:{"Content-Type":"application/json"},body:JSON.stringify(body)})
    .then(function(r){return r.json().then(function(j){if(!r.ok)throw new Error(j.error||r.statusText);return j;});});
}
function status(li,text){var s=$(".msg-status",li);s.textContent=text;}
all("li.finding.reviewable").forEach(function(li){
  var path=li.getAttribute("data-path"),fp=li.getAttribute("data-fingerprint");
  function decide(decision){
    status(li,"saving\u2026");
    call("/api/decision",{path:path,fingerprint:fp,rule:li.getAttribute("data-rule"),decision:decision,
      comment:$("input.comment",li).value,reviewer:reviewer.value})
      .then(function(j){items(path,fp).forEach(function(o){render(o,j.decision);});status(li,"saved");})
      .catch(function(e){status(li,"not saved: "+e.message);});
  }
  $("button.accept",li).addEventListener("click",function(){decide("accept");});
  $("button.dismiss",li).addEventListener("click",function(){decide("dismiss");});
  $("button.undo",li).addEventListener("click",function(){
    status(li,"undoing\u2026");
    call("/api/undo",{path:path,fingerprint:fp,reviewer:reviewer.value})
      .then(function(j){items(path,fp).forEach(function(o){render(o,j.decision);});status(li,"undone");})
      .catch(function(e){status(li,"not undone: "+e.message);});
  });
});
fetch("/api/decisions",{credentials:"same-origin"}).then(function(r){return r.json();}).then(function(j){
  var byKey={};j.decisions.forEach(function(d){byKey[key(d.path,d.fingerprint)]=d;});
  all("li.finding.reviewable").forEach(function(li){
    render(li,byKey[key(li.getAttribute("data-path"),li.getAttribute("data-fingerprint"))]);});
  document.body.setAttribute("data-loaded","1");
}).catch(function(e){$("#review-status").textContent="Cannot load decisions: "+e.message;});
})();
"""

SCRIPT_CSP_SOURCE = "'sha256-" + b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii") + "'"


def _e(value) -> str:
    return escape(str(value), quote=True)


def _json_for_script(value) -> str:
    """JSON that cannot end its ``<script>`` block early, whatever strings it holds."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _label(key: str) -> str:
    return key.replace("_", "-")


class _Article:
    """What one report's page section needs: ids, findings per sentence, back-links."""

    def __init__(self, number: int, report: FileReport):
        self.report = report
        self.prefix = f"a{number}"
        self.items: list[tuple[Finding, Suppression | None, str]] = [
            (f, None, finding_fingerprint(report, f)) for f in report.findings
        ] + [(f, s, finding_fingerprint(report, f)) for f, s in report.suppressed]
        self.items.sort(key=lambda item: (item[0].start, item[0].rule))
        self.by_sentence: dict[int, list[int]] = {}
        self.contradicted_by: dict[int, list[int]] = {}  # sentence -> findings whose related it is
        for k, (f, _, _) in enumerate(self.items):
            self.by_sentence.setdefault(f.sentence, []).append(k)
            if f.rule == "contradiction":
                for r in f.related:
                    self.contradicted_by.setdefault(r.sentence, []).append(k)

    def sid(self, sentence: int) -> str:
        return f"{self.prefix}-s{sentence}"

    def fid(self, k: int) -> str:
        return f"{self.prefix}-f{k}"


def _counts(article: _Article) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for f, suppression, _ in article.items:
        row = counts.setdefault(f.rule, {s.name: 0 for s in SEVERITIES} | {"suppressed": 0})
        row["suppressed" if suppression else f.severity.name] += 1
    return counts


def _sentence_scores(report: FileReport, position: int) -> dict[str, float]:
    return {key: round(float(values[position]), 4) for key, values in report.scores.items() if position < len(values)}


def _text(article: _Article) -> str:
    report, out, cursor = article.report, [], 0
    for position, s in sorted(enumerate(report.sentences), key=lambda p: p[1].start):
        if s.start < cursor:  # overlapping spans cannot be nested: show the text once
            continue
        out.append(_e(report.text[cursor : s.start]))
        findings = [article.items[k] for k in article.by_sentence.get(s.index, [])]
        counted = [f for f, sup, _ in findings if sup is None]
        classes = ["s", s.role]
        if counted:
            classes.append(f"flag-{max(f.severity for f in counted).name}")
        elif findings:
            classes.append("flag-suppressed")
        scores = _sentence_scores(report, position)
        title = " · ".join(f"{_label(k)} {v:.2f}" for k, v in scores.items())
        tags = []
        for k in article.by_sentence.get(s.index, []):
            f, sup, _ = article.items[k]
            css = "suppressed" if sup else f"sev-{f.severity.name}"
            text = f"{'suppressed ' if sup else ''}{f.severity.name} · {f.rule}"
            tags.append(f'<a class="tag {css}" href="#{article.fid(k)}">{_e(text)}</a>')
            if f.rule == "contradiction":
                for r in f.related:
                    tags.append(f'<a class="tag link" href="#{article.sid(r.sentence)}" '
                                f'title="the sentence it contradicts">↔ contradicts sentence {r.sentence}</a>')
        for k in article.contradicted_by.get(s.index, []):
            f = article.items[k][0]
            tags.append(f'<a class="tag link" href="#{article.sid(f.sentence)}" '
                        f'title="a sentence that contradicts this one">↔ contradicted by sentence {f.sentence}</a>')
        out.append(
            f'<span class="{" ".join(classes)}" id="{article.sid(s.index)}" tabindex="0" data-sentence="{s.index}" '
            f'data-line="{s.line}" data-scores="{_e(json.dumps(scores))}" title="{_e(title)}" '
            f'data-findings="{" ".join(article.fid(k) for k in article.by_sentence.get(s.index, []))}">'
            f"{_e(report.text[s.start:s.end])}</span>{''.join(tags)}"
        )
        cursor = s.end
    out.append(_e(report.text[cursor:]))
    return "".join(out)


def _finding_item(article: _Article, k: int, review: bool) -> str:
    f, sup, fp = article.items[k]
    report = article.report
    kind = f" · {_e(f.kind)}" if f.kind else ""
    css = f"finding sev-{f.severity.name}" + (" suppressed" if sup else " reviewable" if review else "")
    parts = [
        (f'<li class="{css}" id="{article.fid(k)}" data-fingerprint="{_e(fp)}" data-rule="{_e(f.rule)}" '
         f'data-severity="{f.severity.name}" data-path="{_e(report.path)}" '
         f'data-sentence-id="{article.sid(f.sentence)}">'),
        (f'<span class="tag {"suppressed" if sup else "sev-" + f.severity.name}">{f.severity.name}</span> '
         f'<strong>{_e(f.rule)}</strong>{kind} · <a class="loc" href="#{article.sid(f.sentence)}">'
         f"{_e(report.path)}:{f.line}:{f.column}</a> · score {f.score:.2f}"),
        f'<div class="msg">{_e(f.message)}</div>',
        f'<div class="quote">“{_e(" ".join(report.text[f.start:f.end].split()))}”</div>',
    ]
    for r in f.related:
        quote = " ".join(report.text[r.start : r.end].split())
        parts.append(f'<div class="related">related: <a href="#{article.sid(r.sentence)}">sentence {r.sentence}</a> '
                     f'<span class="quote">“{_e(quote)}”</span></div>')
    if sup:
        parts.append(f'<div class="why">suppressed ({_e(sup.kind)}): {_e(sup.justification)}</div>')
    elif review:
        parts.append(
            '<div class="controls"><button type="button" class="accept">Accept</button>'
            '<button type="button" class="dismiss">Dismiss</button>'
            '<input type="text" class="comment" maxlength="2000" placeholder="comment (optional)" aria-label="comment">'
            '<button type="button" class="undo">Undo</button></div>'
            '<div><span class="state">Not reviewed</span> <span class="msg-status muted" role="status"></span></div>'
        )
    parts.append("</li>")
    return "".join(parts)


def _article(article: _Article, review: bool) -> str:
    report = article.report
    head = f'<section class="report" id="{article.prefix}" data-path="{_e(report.path)}"><h2>{_e(report.path)}</h2>'
    if report.error is not None:
        return head + f'<div class="error-box" role="alert"><strong>Could not be checked:</strong> {_e(report.error)}</div></section>'
    counts = _counts(article)
    rows = "".join(
        f"<tr><th>{_e(rule)}</th>" + "".join(f'<td class="n">{row[name]}</td>' for name in row) + "</tr>"
        for rule, row in sorted(counts.items())
    )
    table = ("<table class=\"counts\"><tr><th>rule</th>" + "".join(f"<th>{s.name}</th>" for s in SEVERITIES)
             + "<th>suppressed</th></tr>" + rows + "</table>") if counts else "<p>No findings.</p>"
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    summary = (
        f'<div class="summary"><div><div class="muted">article score</div><div class="score">{report.score:.2f}</div>'
        f'<div class="muted">1 is clean</div></div><div>{table}</div>'
        f'<div><div class="muted">{len(report.sentences)} sentences, {len(report.findings)} findings, '
        f"{len(report.suppressed)} suppressed</div>" + (f"<ul>{notes}</ul>" if notes else "") + "</div></div>"
    )
    panel = (
        '<aside class="panel" aria-live="polite"><strong class="panel-title">Sentence scores</strong>'
        '<div class="panel-body muted">Point at or click a sentence to see its score for each rule '
        "(0 is fine, 1 is flagged for sure).</div><div class=\"panel-flags\"></div></aside>"
    )
    items = "".join(_finding_item(article, k, review) for k in range(len(article.items)))
    findings = f'<h3>Findings</h3><ol class="findings">{items}</ol>' if items else ""
    return (head + summary + f'<div class="layout"><div class="text">{_text(article)}</div>{panel}</div>'
            + findings + "</section>")


def _index(articles: list[_Article]) -> str:
    rows = []
    for a in articles:
        r = a.report
        if r.error is not None:
            cells = '<td colspan="4">could not be checked</td>'
        else:
            by = {s: sum(f.severity is s for f in r.findings) for s in SEVERITIES}
            cells = (f'<td class="n">{r.score:.2f}</td>' + "".join(f'<td class="n">{by[s]}</td>' for s in SEVERITIES))
        rows.append(f'<tr><td><a href="#{a.prefix}">{_e(r.path)}</a></td>{cells}'
                    f'<td class="n">{len(r.suppressed)}</td></tr>')
    return ('<nav id="index"><h2>Articles</h2><table><tr><th>article</th><th>score</th>'
            + "".join(f"<th>{s.name}</th>" for s in SEVERITIES) + "<th>suppressed</th></tr>"
            + "".join(rows) + "</table></nav>")


def format_html(reports: list[FileReport], review: dict | None = None) -> str:
    """The whole report as one HTML page; ``review`` (``{"reviewer": name}``) adds the review controls."""
    articles = [_Article(n, r) for n, r in enumerate(reports, 1)]
    total = sum(len(r.findings) for r in reports)
    suppressed = sum(len(r.suppressed) for r in reports)
    failed = sum(r.error is not None for r in reports)
    line = f"{total} finding(s) in {len(reports) - failed} file(s) checked"
    if suppressed:
        line += f" ({suppressed} suppressed)"
    if failed:
        line += f"; {failed} file(s) could not be checked"
    toolbar = ""
    if review is not None:
        toolbar = (f'<div class="toolbar">Reviewer: <input id="reviewer" type="text" maxlength="100" '
                   f'value="{_e(review.get("reviewer", ""))}" aria-label="reviewer name"> '
                   '<span id="review-status" class="muted" role="status">Decisions are saved as you make them.</span></div>')
    config = _json_for_script({"review": review is not None})
    body = "".join(_article(a, review is not None) for a in articles)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no favicon request, even when served
        f"<title>coherence report{' – review' if review is not None else ''}</title><style>{_CSS}</style></head>"
        f'<body data-review="{int(review is not None)}"><header><h1>coherence report</h1>'
        f'<p class="muted">{_e(line)}</p>{toolbar}</header>'
        + (_index(articles) if len(articles) > 1 else "")
        + f"<main>{body}</main>"
        f'<script type="application/json" id="coherence-config">{config}</script>'
        f"<script>{SCRIPT}</script></body></html>"
    )
