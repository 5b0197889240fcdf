#!/usr/bin/env python3
"""Makes each full report of the corpus in the other forms reports are published or passed on in, because the
layout, not the figures, is what breaks readers (issue #23). Writes full/<id>/variants/:

  report.lo.pdf        the HTML copy printed to PDF by LibreOffice (as an office prints a web page)
  report.docx          the HTML copy saved as DOCX by LibreOffice (Word's merged-cell table)
  report.pdftotext.txt `pdftotext` of the PDF (the original PDF where the report is one), reading order
  report.layout.txt    `pdftotext -layout` of the same PDF
  report.md            Markdown with pipe tables, merged cells expanded as blank cells (what HTML-to-Markdown
                       converters give)

Needs LibreOffice (soffice) and poppler-utils (pdftotext). Run from anywhere; the outputs are committed, so the
tests need neither. Usage: variants.py [ID ...]   (default: every full report)
"""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Blocks(HTMLParser):
    """Paragraphs and tables (as grids with spans) of a simple HTML report."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []  # ("p", text) | ("table", [[(text, rowspan, colspan)]])
        self.text = None
        self.table = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = ["", int(a.get("rowspan") or 1), int(a.get("colspan") or 1)]
        elif tag == "br":
            if self.cell is not None:
                self.cell[0] += " "
        elif tag in ("p", "h1", "h2", "h3", "div") and self.table is None:
            self.flush()
            self.text = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.table[-1].append((self.cell[0].strip(), self.cell[1], self.cell[2]))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(("table", self.table))
            self.table = None
        elif tag in ("p", "h1", "h2", "h3", "div") and self.table is None:
            self.flush()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data
        elif self.table is None:
            self.text = (self.text or "") + data

    def flush(self):
        if self.text is not None and self.text.strip():
            self.blocks.append(("p", self.text.strip()))
        self.text = None


def grid(rows):
    """The table as a full grid: a merged cell's text in its first slot, blank in the others."""
    out, pending = [], {}  # pending[(r, c)] = True for slots covered from above
    for r, row in enumerate(rows):
        line, c = [], 0
        cells = iter(row)
        while True:
            while pending.pop((r, c), False):
                line.append("")
                c += 1
            cell = next(cells, None)
            if cell is None:
                break
            text, rowspan, colspan = cell
            for dc in range(colspan):
                line.append(text if dc == 0 else "")
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        out.append(line)
    width = max(len(line) for line in out)
    return [line + [""] * (width - len(line)) for line in out]


def markdown(path):
    parser = Blocks()
    parser.feed(open(path, encoding="utf-8").read())
    parser.flush()
    lines = []
    for kind, block in parser.blocks:
        if kind == "p":
            lines += [block, ""]
        else:
            rows = grid(block)
            esc = lambda s: s.replace("|", "\\|")
            lines.append("| " + " | ".join(esc(c) for c in rows[0]) + " |")
            lines.append("|" + "---|" * len(rows[0]))
            lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows[1:]]
            lines.append("")
    return "\n".join(lines)


def soffice(source, target_ext, filter_name, outdir):
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
             f"{target_ext}:{filter_name}" if filter_name else target_ext, "--outdir", outdir, source],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def main():
    manifest = tomllib.load(open(os.path.join(ROOT, "manifest.toml"), "rb"))
    wanted = set(sys.argv[1:])
    for entry in manifest["report"]:
        if entry["kind"] != "full" or (wanted and entry["id"] not in wanted):
            continue
        source = os.path.join(ROOT, entry["files"][0])
        out = os.path.join(ROOT, "full", entry["id"], "variants")
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryDirectory() as work:
            if source.endswith(".html"):
                page = os.path.join(work, "report.html")
                # A whole page, so LibreOffice's HTML import reads it as UTF-8.
                body = open(source, encoding="utf-8").read()
                open(page, "w", encoding="utf-8").write(
                    '<!DOCTYPE html><html><head><meta charset="utf-8">'
                    # The ruled cells of the published page (its Word-exported cells have 1pt borders).
                    '<style>table{border-collapse:collapse}td{border:1px solid #000}</style>'
                    '</head><body>'
                    + body.replace("<table>", '<table border="1" cellspacing="0" cellpadding="4">')
                    + "</body></html>")
                soffice(page, "pdf", "writer_web_pdf_Export", work)
                shutil.copy(os.path.join(work, "report.pdf"), os.path.join(out, "report.lo.pdf"))
                soffice(page, "docx", "MS Word 2007 XML", work)
                shutil.copy(os.path.join(work, "report.docx"), os.path.join(out, "report.docx"))
                open(os.path.join(out, "report.md"), "w", encoding="utf-8").write(markdown(source))
                pdf = os.path.join(out, "report.lo.pdf")
            elif source.endswith(".pdf"):
                pdf = source
            else:
                continue
            for name, flags in (("report.pdftotext.txt", []), ("report.layout.txt", ["-layout"])):
                subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", pdf, os.path.join(out, name)],
                               check=True)
        print(entry["id"], sorted(os.listdir(out)))


if __name__ == "__main__":
    main()
