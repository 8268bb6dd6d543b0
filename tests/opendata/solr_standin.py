"""A minimal Solr stand-in for the CKAN the tests run (Solr is not installable here).

It speaks the requests CKAN 2.12 sends through pysolr (read from ckan/lib/search/):
- GET  /schema?wt=schema.xml           -> the schema name `ckan-2.12` (version check at start)
- POST /update/?commit=true            -> JSON array of documents (package index), or XML
                                          <delete><id>/<query></delete> and <commit/>
- GET|POST /select?q=&fq=&rows=&start=&fl=&facet.field=&wt=json
                                       -> {"response": {"numFound", "start", "docs"}, "facet_counts"}
Documents live in memory. Queries understand what CKAN builds: `*:*`, `field:value` and
`field:"value"` clauses with +/- prefixes (site_id, entity_type, dataset_type, capacity,
state, id, name, owner_org, ...); local parameters such as {!tag=...} are ignored; any
other text is matched as a substring of the document's text fields.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SCHEMA_XML = '<?xml version="1.0" encoding="UTF-8"?>\n<schema name="ckan-2.12" version="1.6"></schema>\n'
_CLAUSE = re.compile(r'([+-]?)([\w.]+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\([^)]*\)|[^\s()]+)')


class SolrIndex:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.requests: list[str] = []

    # --- update --------------------------------------------------------------------
    def add(self, docs: list[dict]) -> None:
        with self.lock:
            for doc in docs:
                self.docs[str(doc.get("id") or doc.get("index_id"))] = doc

    def delete_query(self, query: str) -> None:
        with self.lock:
            for key in [k for k, d in self.docs.items() if matches(d, query)]:
                del self.docs[key]

    def delete_id(self, doc_id: str) -> None:
        with self.lock:
            self.docs.pop(doc_id, None)

    # --- select --------------------------------------------------------------------
    def select(self, params: dict[str, list[str]]) -> dict:
        q = (params.get("q") or ["*:*"])[0]
        fqs = params.get("fq", [])
        start = int((params.get("start") or ["0"])[0])
        rows = int((params.get("rows") or ["10"])[0])
        with self.lock:
            found = [d for d in self.docs.values()
                     if matches(d, q) and all(matches(d, fq) for fq in fqs)]
        found.sort(key=lambda d: str(d.get("metadata_modified", "")), reverse=True)
        fl = (params.get("fl") or ["*"])[0].replace(",", " ").split()
        page = [project(d, fl) for d in found[start:start + rows]]
        facets = {}
        for field in params.get("facet.field", []):
            field = re.sub(r"^\{![^}]*\}", "", field)
            counts: dict[str, int] = {}
            for doc in found:
                for value in as_list(doc.get(field)):
                    counts[str(value)] = counts.get(str(value), 0) + 1
            facets[field] = [x for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) for x in (k, v)]
        return {
            "responseHeader": {"status": 0, "QTime": 0, "params": {}},
            "response": {"numFound": len(found), "start": start, "docs": page},
            "facet_counts": {"facet_queries": {}, "facet_fields": facets, "facet_dates": {},
                             "facet_ranges": {}, "facet_intervals": {}, "facet_heatmaps": {}},
        }


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def project(doc: dict, fl: list[str]) -> dict:
    if not fl or "*" in fl:
        return dict(doc)
    return {k: doc[k] for k in fl if k in doc}


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value.replace("\\", "")


def matches(doc: dict, query: str) -> bool:
    query = re.sub(r"\{![^}]*\}", "", query or "").strip()
    if query in ("", "*:*"):
        return True
    ok = True
    rest = query
    for sign, field, raw in _CLAUSE.findall(query):
        rest = rest.replace(f"{sign}{field}:{raw}", " ", 1)
        if raw.startswith("["):
            hit = field in doc  # ranges: the field exists
        else:
            # `x`, `"x"` or `(x OR "y")`: any of the values
            options = raw[1:-1].split(" OR ") if raw.startswith("(") else [raw]
            wanted = {unquote(o.strip()) for o in options}
            hit = "*" in wanted and field in doc or any(
                str(v) in wanted for v in as_list(doc.get(field)))
        if sign == "-":
            hit = not hit
        ok = ok and hit
    words = [w for w in re.split(r"[\s()]+", rest) if w and w not in ("AND", "OR", "+", "-", "*:*")]
    if words:
        text = json.dumps(doc, ensure_ascii=False)
        ok = ok and all(w.strip('"') in text for w in words)
    return ok


class Handler(BaseHTTPRequestHandler):
    index: SolrIndex

    def log_message(self, *args) -> None:  # quiet
        pass

    def _reply(self, status: int, body: str, media: str = "application/json") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{media}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _params(self) -> tuple[str, dict[str, list[str]], bytes]:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        return url.path.rstrip("/"), params, body

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        path, params, body = self._params()
        self.index.requests.append(f"{self.command} {path}")
        if path.endswith("/schema") or path.endswith("/admin/file"):
            return self._reply(200, SCHEMA_XML, "application/xml")
        if path.endswith("/select"):
            return self._reply(200, json.dumps(self.index.select(params), ensure_ascii=False))
        if path.endswith("/update"):
            try:
                self._update(body, self.headers.get("Content-Type") or "")
            except (ValueError, ET.ParseError) as exc:
                return self._reply(400, json.dumps({"error": {"msg": str(exc), "code": 400}}))
            return self._reply(200, json.dumps({"responseHeader": {"status": 0, "QTime": 0}}))
        if path.endswith("/admin/ping"):
            return self._reply(200, json.dumps({"status": "OK"}))
        self._reply(404, json.dumps({"error": {"msg": f"not implemented: {path}", "code": 404}}))

    def _update(self, body: bytes, media: str) -> None:
        if not body.strip():
            return
        if "json" in media:
            message = json.loads(body)
            if isinstance(message, list):
                return self.index.add(message)
            if "add" in message:
                return self.index.add([message["add"]["doc"]])
            if "delete" in message:
                target = message["delete"]
                if "query" in target:
                    return self.index.delete_query(target["query"])
                return self.index.delete_id(str(target.get("id")))
            return None
        root = ET.fromstring(body)
        if root.tag == "delete":
            for child in root:
                if child.tag == "id":
                    self.index.delete_id(child.text or "")
                elif child.tag == "query":
                    self.index.delete_query(child.text or "")
        elif root.tag == "add":
            docs = []
            for doc in root.iter("doc"):
                fields: dict = {}
                for f in doc.iter("field"):
                    name = f.get("name")
                    if name in fields:
                        fields[name] = [*as_list(fields[name]), f.text]
                    else:
                        fields[name] = f.text
                docs.append(fields)
            self.index.add(docs)
        # <commit/> and <optimize/>: documents are visible at once, nothing to do


class SolrStandIn:
    """Runs the stand-in on 127.0.0.1 in a background thread: `with SolrStandIn() as solr:`."""

    def __init__(self, port: int = 0) -> None:
        self.index = SolrIndex()
        handler = type("BoundHandler", (Handler,), {"index": self.index})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/solr/ckan"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SolrStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # for trying CKAN by hand: python tests/opendata/solr_standin.py 8983
    import sys

    with SolrStandIn(int(sys.argv[1]) if len(sys.argv) > 1 else 8983) as solr:
        print(solr.url, flush=True)
        threading.Event().wait()
