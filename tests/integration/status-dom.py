#!/usr/bin/env python3
"""status-dom.py: checks the status page's DOM as a browser built it.

usage: status-dom.py DOM_FILE GOPROXY_URL POINTS HOSTILE_TEXT

DOM_FILE is what `chromium --dump-dom` printed: the document after the
browser parsed it (and after any script ran, had one been allowed to).
The checks, one TAP-ish line each on stdout ("ok: ..." or "FAIL: ..."),
exit status 1 if any failed:
  - the GOPROXY line (id="goproxy") names GOPROXY_URL, the URL the browser
    was pointed at;
  - the chart (svg.chart) has one polyline of POINTS points and POINTS dots;
  - HOSTILE_TEXT (a module path holding "<script>") appears as text in the
    refusals table, and the document has no script element and no event
    handler attribute: the markup in it was never markup;
  - nothing refers to another resource: no src, href (other than the
    data: icon), srcset, action, data or poster attribute pointing
    outside the page, and no url( or @import in a style.
The sum of the chart's hourly counts is printed as "requests: N", and the
hit ratio's text as "hit-ratio: TEXT", for the caller to compare.
"""
import html.parser
import re
import sys

RESOURCE_ATTRS = {"src", "href", "srcset", "action", "formaction", "data",
                  "poster", "background", "xlink:href", "ping", "manifest"}
# Elements that have no end tag: never on the stack of open elements.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.text = {}          # id -> its text
        self.ids = []           # ids of the open elements with one
        self.scripts = 0
        self.handlers = []
        self.external = []
        self.styles = ""
        self.polylines = []
        self.circles = 0
        self.titles = []        # of the chart's dots
        self.in_style = False
        self.in_chart = 0
        self.title = None
        self.doc_title = ""
        self.in_doc_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.handlers.append("%s %s" % (tag, name))
            if name in RESOURCE_ATTRS and not value.startswith("data:"):
                self.external.append("%s %s=%s" % (tag, name, value))
            if name == "style":
                self.styles += value
        if tag == "style":
            self.in_style = True
        if tag == "title" and not self.stack_has("svg"):
            self.in_doc_title = True
        if tag == "svg" and "chart" in a.get("class", "").split():
            self.in_chart += 1
        if self.in_chart and tag == "polyline":
            self.polylines.append(a.get("points", ""))
        if self.in_chart and tag == "circle":
            self.circles += 1
        if self.in_chart and tag == "title" and self.stack and \
                self.stack[-1] == "circle":
            self.title = ""
        if tag in VOID:
            return
        self.stack.append(tag)
        if "id" in a:
            self.ids.append((a["id"], len(self.stack)))
            self.text[a["id"]] = ""

    def stack_has(self, tag):
        return tag in self.stack

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag == "title":
            self.in_doc_title = False
            if self.title is not None:
                self.titles.append(self.title)
                self.title = None
        if tag == "svg" and self.in_chart:
            self.in_chart -= 1
        while self.ids and self.ids[-1][1] >= len(self.stack):
            self.ids.pop()
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.in_style:
            self.styles += data
        if self.in_doc_title:
            self.doc_title += data
        if self.title is not None:
            self.title += data
        for i, _ in self.ids:
            self.text[i] += data


def main():
    dom, goproxy, points, hostile = sys.argv[1:5]
    with open(dom, encoding="utf-8") as f:
        p = Page()
        p.feed(f.read())
        p.close()
    bad = []

    def check(what, ok, detail=""):
        print("%s: %s%s" % ("ok" if ok else "FAIL", what,
                             "" if ok else " (%s)" % detail))
        if not ok:
            bad.append(what)

    want = "go env -w GOPROXY=" + goproxy
    got = p.text.get("goproxy", "").strip()
    check("the GOPROXY line names the URL the browser used", got == want,
          "got %r, want %r" % (got, want))
    n = int(points)
    pts = p.polylines[0].split() if len(p.polylines) == 1 else []
    check("the chart has one polyline of %d points" % n,
          len(pts) == n and all(re.fullmatch(r"[0-9.]+,[0-9.]+", x)
                                for x in pts),
          "%d polylines, %d points" % (len(p.polylines), len(pts)))
    check("the chart has %d dots" % n, p.circles == n == len(p.titles),
          "%d dots, %d titles" % (p.circles, len(p.titles)))
    refusals = p.text.get("refusals", "")
    check("the <script> module path shows as text among the refusals",
          hostile in refusals, "refusals: %r" % refusals[:300])
    check("the document has no script element", p.scripts == 0,
          "%d" % p.scripts)
    check("no event handler attributes", not p.handlers, p.handlers)
    check("the document title is the page's own",
          p.doc_title == "modvault: Go module proxy", p.doc_title)
    check("nothing refers to another resource", not p.external and
          "url(" not in p.styles and "@import" not in p.styles,
          p.external or "a style loads something")
    total = 0
    for t in p.titles:
        m = re.match(r"(\d+) requests?\b", t)
        total += int(m.group(1)) if m else 0
    print("requests: %d" % total)
    print("hit-ratio: %s" % " ".join(p.text.get("hit-ratio", "").split()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
