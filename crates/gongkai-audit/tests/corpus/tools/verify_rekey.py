#!/usr/bin/env python3
"""Check a re-keyed article (simplified HTML) against the verbatim page.txt copy in the corpus.

usage: verify_rekey.py <id>   (reads full/<id>/report.html and full/<id>/report.txt of the corpus; the
                               <h1> title, taken from the page's head, is left out of the comparison)
Passes when the text of the HTML (all whitespace removed) is one contiguous piece of the page text (whitespace
removed); prints what of the page text is left uncovered before and after, and the tables' shapes."""
import html, re, sys
from html.parser import HTMLParser

ident = sys.argv[1]
import os
root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "full", ident)
src = open(os.path.join(root, "report.html"), encoding="utf-8").read()
src = re.sub(r"^<h1>.*?</h1>\n", "", src)
page = open(os.path.join(root, "report.txt"), encoding="utf-8").read()
page = page.split("==================== 正文 ====================", 1)[1]

def squash(s):
    return re.sub(r"[\s\u00a0\u3000\u200b\ufeff]+", "", s)

class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.text = []; self.tables = []; self.row = None; self.bad = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.tables.append([])
        elif tag == "tr": self.tables[-1].append([]) if self.tables else self.bad.append("tr outside table")
        elif tag in ("td", "th"):
            if not self.tables or not self.tables[-1]: self.bad.append("cell outside row"); return
            self.tables[-1][-1].append((int(a.get("rowspan", 1)), int(a.get("colspan", 1))))
        elif tag not in ("p", "br", "tbody", "thead", "html", "body", "meta", "head", "title"):
            self.bad.append(f"unexpected tag <{tag}>")
    def handle_data(self, d): self.text.append(d)

p = P(); p.feed(src)
mine = squash("".join(p.text))
body = squash(page)
ok = True
if p.bad: print("PROBLEMS:", sorted(set(p.bad))); ok = False
at = body.find(mine)
if at < 0:
    ok = False
    # longest matching prefix, to say where it diverges
    lo = 0
    while lo < len(mine) and body.find(mine[: lo + 1]) >= 0: lo += 1
    k = body.find(mine[:lo])
    print(f"MISMATCH after {lo} of {len(mine)} characters")
    print("  html: …" + mine[max(0, lo - 40): lo] + " ⟨" + mine[lo: lo + 60] + "⟩")
    print("  page: …" + body[max(0, k + lo - 40): k + lo] + " ⟨" + body[k + lo: k + lo + 60] + "⟩")
else:
    print(f"text matches: {len(mine)} of {len(body)} characters")
    print("  uncovered before:", body[:at][-200:])
    print("  uncovered after: ", body[at + len(mine):][:200])
for i, t in enumerate(p.tables):
    widths = []
    # grid width per row accounting for rowspans
    carry = []
    for r in t:
        carry = [c - 1 for c in carry if c - 1 > 0]
        w = len(carry) + sum(cs for rs, cs in r)
        widths.append(w)
        carry += [rs for rs, cs in r for _ in range(cs) if rs > 1]
    print(f"table {i + 1}: {len(t)} rows, grid widths {sorted(set(widths))}")
print("OK" if ok else "FAIL")
sys.exit(0 if ok else 1)
