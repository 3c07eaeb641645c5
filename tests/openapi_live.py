"""A live server's answers against an OpenAPI 3.1 document: what
check_serve_openapi.py (docs/openapi.json, the API port) and
check_serve_admin_openapi.py (docs/openapi-mocks.json, the mocks' admin
routes) share. Each answer is validated against the schema of its route and
status; at the end every operation of the document must have been called and
answered 2xx at least once."""

import json

import jsonschema


class LiveCheck:
    def __init__(self, path, failures, generic_statuses, generic_schema, formats=False):
        """generic_statuses: the statuses a path not in the document may answer
        (404, 405, ...), in generic_schema (a $ref of the document)."""
        with open(path) as f:
            self.doc = json.load(f)
        assert self.doc.get("openapi", "").startswith("3.1"), "not an OpenAPI 3.1 document"
        for schema in self.doc["components"]["schemas"].values():
            jsonschema.Draft202012Validator.check_schema(schema)
        self.path = path
        self.failures = failures
        self.called = {}  # (method, template) -> set of statuses
        self.generic_statuses = generic_statuses
        self.generic_schema = {"$ref": generic_schema}
        self.formats = jsonschema.FormatChecker() if formats else None

    def check(self, method, template, status, headers, body):
        """One answer against the document."""
        self.called.setdefault((method, template), set()).add(status)
        where = "%s %s -> %d" % (method, template, status)
        op = self.doc["paths"].get(template, {}).get(method.lower())
        if op is None:
            if status not in self.generic_statuses:
                self.failures.append("%s: not in the document" % where)
                return
            schema = self.generic_schema
        else:
            resp = op["responses"].get(str(status))
            if resp is None:
                self.failures.append("%s: status not documented (body %s)"
                                     % (where, json.dumps(body)[:300]))
                return
            schema = resp["content"]["application/json"]["schema"]
        if not headers.get("content-type", "").startswith("application/json"):
            self.failures.append("%s: Content-Type is %r" % (where, headers.get("content-type")))
        resolver = jsonschema.RefResolver.from_schema(self.doc)
        v = jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=self.formats)
        for e in sorted(v.iter_errors(body), key=lambda e: list(e.path))[:3]:
            self.failures.append("%s: %s at %s (body %s)" % (where, e.message[:200], list(e.path),
                                                             json.dumps(body)[:300]))

    def coverage(self):
        """Every operation called, and answered 2xx at least once."""
        for template, item in self.doc["paths"].items():
            for method in item:
                if method == "parameters":
                    continue
                got = self.called.get((method.upper(), template))
                if not got:
                    self.failures.append("%s %s was never called" % (method.upper(), template))
                elif not any(200 <= s < 300 for s in got):
                    self.failures.append("%s %s never answered 2xx (got %s)"
                                         % (method.upper(), template, sorted(got)))

    def summary(self):
        n = sum(len(v) for v in self.called.values())
        return "%d route/status pairs checked against %s; %d failures" % (n, self.path,
                                                                          len(self.failures))
