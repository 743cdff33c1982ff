"""Each constraint kind as SPARQL: the test of one value (``sh:datatype``, ``sh:pattern``, ``sh:in``, ranges,
lengths...), and the conformance of nodes to nested shapes (``sh:or``, ``sh:and``, ``sh:not``, ``sh:node``,
``sh:property``, ``sh:qualifiedValueShape``) as FILTER expressions, patterns or set algebra over candidates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.namespaces import RDF, RDFS, SH, XSD, shorten
from kg.validation.fast.paths import PathTranslator
from kg.validation.fast.vocabulary import (
    INSTANCE_OF,
    NODE_KINDS,
    PATH_ONLY,
    RDFLIB_CONVERTED,
    VALUE_TESTS,
    VIOLATION,
    WELL_FORMED,
    Term,
    UnsupportedShapeError,
)


@dataclass
class Dom:
    """A SPARQL pattern (the inside of a group) whose solutions carry ``vars``; conformance is always
    evaluated for the nodes one of these variables holds."""

    text: str
    vars: tuple[str, ...]


def var_list(names: Iterable[str]) -> str:
    return " ".join(f"?{n}" for n in names)


def project(dom_vars: Sequence[str], text: str) -> str:
    return f"{{ SELECT DISTINCT {var_list(dom_vars)} WHERE {{ {text} }} }}"


def sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def python_pattern_to_rust(pattern: str, multiline: bool) -> str:
    """pySHACL matches sh:pattern with Python's ``re``; Oxigraph with Rust's regex crate. They agree on the
    syntax both accept except ``$``, which in Python also matches before a final newline."""
    if multiline:
        return pattern
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # a literal ] right after [
                out.append("[]")
                i += 2
                continue
        elif char == "$":
            char = r"(?:\n?\z)"
        out.append(char)
        i += 1
    return "".join(out)


def less_or_equal(a: str, b: str) -> str:
    """pySHACL's sh:lessThanOrEquals: IRIs and strings compare as text, with each other only; other literals by
    value; anything incomparable fails."""
    strings = f"<{XSD}string>, <{RDF}langString>"
    sa, sb = (f"(isIRI({x}) || (isLiteral({x}) && DATATYPE({x}) IN ({strings})))" for x in (a, b))
    return (
        f"COALESCE(({sa} && {sb} && STR({a}) <= STR({b})) || "
        f"(!{sa} && !{sb} && isLiteral({a}) && isLiteral({b}) && {a} <= {b}), false)"
    )


class ConstraintTranslator(PathTranslator):
    """Adds the SPARQL of every constraint kind to the shapes reader and path translator."""

    # ---- conformance of nodes to nested shapes
    #
    # Three ways to say which nodes conform, tried in this order: a FILTER expression (value tests, and
    # EXISTS over one triple pattern, which Oxigraph answers quickly for a bound subject); a pattern that
    # lists the conforming nodes by itself (``?v rdf:type/rdfs:subClassOf* C``), used with MINUS; and set
    # algebra over the candidate solutions (``Dom``) with joins, MINUS and GROUP BY.

    def nested(self, shape: Term, stack: tuple[Term, ...]) -> tuple[Term, ...]:
        if shape in stack:
            raise UnsupportedShapeError(f"{self.name(shape)}: a recursive shape")
        if self.severity(shape) != VIOLATION:
            # pySHACL, run as kg.validation.pyshacl runs it (warnings allowed), counts a nested shape of a lower
            # severity as conforming whatever it finds; refuse rather than copy that.
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:severity on a shape nested in another")
        return (*stack, shape)

    def shape_test(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        """A boolean expression true when ``?v`` conforms to ``shape``, or None."""
        stack = self.nested(shape, stack)
        if self.deactivated(shape):
            return "true"
        path_node = self.one(shape, SH + "path", shape)
        if path_node is not None:
            return self.property_test(shape, self.path(path_node, shape), v, stack)
        tests = [self.param_test(shape, local, value, v, stack) for local, value in self.parameters(shape)]
        if any(t is None for t in tests):
            return None
        return "(" + " && ".join(tests) + ")" if tests else "true"  # type: ignore[arg-type]

    def param_test(self, shape: Term, local: str, value: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        if local in VALUE_TESTS:
            return self.value_test(shape, local, value, f"?{v}")
        if local in ("node", "property"):
            return self.shape_test(value, v, stack)
        if local == "not":
            inner = self.shape_test(value, v, stack)
            return f"!{inner}" if inner is not None else None
        if local in ("and", "or"):
            tests = [self.shape_test(m, v, stack) for m in self.items(value, shape)]
            if any(t is None for t in tests):
                return None
            joiner = " && " if local == "and" else " || "
            return "(" + joiner.join(tests) + ")" if tests else ("true" if local == "and" else "false")  # type: ignore[arg-type]
        return None

    def property_test(self, shape: Term, path: str, v: str, stack: tuple[Term, ...]) -> str | None:
        if not self.bounded(path):
            return None
        tests = []
        for local, value in self.parameters(shape):
            w = self.fresh()
            if local in ("minCount", "maxCount"):
                n = self.integer(value, shape, local)
                if local == "minCount" and n == 0:
                    continue
                if n > 1 or (local == "maxCount" and n == 1):
                    return None
                exists = f"EXISTS {{ ?{v} {path} ?{w} }}"
                tests.append(exists if local == "minCount" else f"!{exists}")
            elif local == "hasValue":
                tests.append(f"EXISTS {{ ?{v} {path} {self.term(value, shape)} }}")
            elif local in ("uniqueLang", "lessThanOrEquals", "qualifiedValueShape", "property", "sparql"):
                return None
            else:
                inner = self.param_test(shape, local, value, w, stack)
                if inner is None:
                    return None
                tests.append(f"NOT EXISTS {{ ?{v} {path} ?{w} FILTER (!{inner}) }}")
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def shape_pos(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        """A pattern, needing no candidates, whose solutions bind ``?v`` to every conforming node, or None."""
        stack = self.nested(shape, stack)
        if self.deactivated(shape):
            return None
        params = self.parameters(shape)
        path_node = self.one(shape, SH + "path", shape)
        parts = []
        for local, value in params:
            if path_node is not None:
                path = self.path(path_node, shape)
                if local == "hasValue":
                    parts.append(f"?{v} {path} {self.term(value, shape)}")
                elif local == "minCount" and self.integer(value, shape, local) == 1 and self.bounded(path):
                    parts.append(f"?{v} {path} ?{self.fresh()}")
                else:
                    return None
            elif local == "class":
                parts.append(f"?{v} {INSTANCE_OF} {self.term(value, shape)}")
            elif local in ("node", "property"):
                inner = self.shape_pos(value, v, stack)
                if inner is None:
                    return None
                parts.append(inner)
            elif local in ("and", "or"):
                members = [self.shape_pos(m, v, stack) for m in self.items(value, shape)]
                if any(m is None for m in members) or not members:
                    return None
                joiner = " " if local == "and" else " UNION "
                parts.append(joiner.join(f"{{ {m} }}" for m in members))
            else:
                return None
        return " ".join(f"{{ {p} }}" for p in parts) if parts else None

    def sat(self, shape: Term, dom: Dom, v: str, stack: tuple[Term, ...]) -> Dom:
        """The solutions of ``dom`` whose ``?v`` conforms to ``shape``."""
        test = self.shape_test(shape, v, stack)
        if test is not None:
            return Dom(f"{dom.text} FILTER ({test})", dom.vars)
        pos = self.shape_pos(shape, v, stack)
        if pos is not None:
            return Dom(project(dom.vars, f"{dom.text} . {pos}"), dom.vars)
        stack = self.nested(shape, stack)
        path_node = self.one(shape, SH + "path", shape)
        for local, value in self.parameters(shape):
            if path_node is not None:
                dom = self.sat_path_param(shape, self.path(path_node, shape), local, value, dom, v, stack)
            else:
                dom = self.sat_param(shape, local, value, dom, v, stack)
        return dom

    def unsat(self, shape: Term, dom: Dom, v: str, stack: tuple[Term, ...]) -> Dom:
        """The solutions of ``dom`` whose ``?v`` does not conform to ``shape``."""
        test = self.shape_test(shape, v, stack)
        if test is not None:
            return Dom(f"{dom.text} FILTER (!{test})", dom.vars)
        pos = self.shape_pos(shape, v, stack)
        if pos is not None:
            return Dom(f"{dom.text} MINUS {{ {pos} }}", dom.vars)
        params = self.parameters(shape)
        if len(params) == 1 and self.one(shape, SH + "path", shape) is None:
            return self.unsat_param(shape, *params[0], dom, v, self.nested(shape, stack))
        good = self.sat(shape, dom, v, stack)
        return Dom(f"{dom.text} MINUS {project(dom.vars, good.text)}", dom.vars)

    def sat_param(self, shape: Term, local: str, value: Term, dom: Dom, v: str, stack: tuple[Term, ...]) -> Dom:
        """The solutions of ``dom`` whose ``?v`` satisfies one constraint of a shape without sh:path."""
        if local in PATH_ONLY:
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a shape without sh:path")
        if local == "sparql":
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:sparql on a shape nested in another")
        test = self.param_test(shape, local, value, v, stack)
        if test is not None:
            return Dom(f"{dom.text} FILTER ({test})", dom.vars)
        if local == "class":
            return Dom(project(dom.vars, f"{dom.text} . ?{v} {INSTANCE_OF} {self.term(value, shape)}"), dom.vars)
        if local in ("node", "property"):
            return self.sat(value, dom, v, stack)
        if local == "not":
            return self.unsat(value, dom, v, stack)
        if local == "and":
            for member in self.items(value, shape):
                dom = self.sat(member, dom, v, stack)
            return dom
        if local == "or":
            bad = self.unsat_param(shape, local, value, dom, v, stack)
            return Dom(f"{dom.text} MINUS {project(dom.vars, bad.text)}", dom.vars)
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} in this position")

    def unsat_param(self, shape: Term, local: str, value: Term, dom: Dom, v: str, stack: tuple[Term, ...]) -> Dom:
        """The solutions of ``dom`` whose ``?v`` breaks one constraint of a shape without sh:path."""
        test = self.param_test(shape, local, value, v, stack)
        if test is not None:
            return Dom(f"{dom.text} FILTER (!{test})", dom.vars)
        if local == "class":
            return Dom(f"{dom.text} MINUS {{ ?{v} {INSTANCE_OF} {self.term(value, shape)} }}", dom.vars)
        if local in ("node", "property"):
            return self.unsat(value, dom, v, stack)
        if local == "not":
            return self.sat(value, dom, v, stack)
        if local == "or":
            for member in self.items(value, shape):
                dom = self.unsat(member, dom, v, stack)
            return dom
        good = self.sat_param(shape, local, value, dom, v, stack)
        return Dom(f"{dom.text} MINUS {project(dom.vars, good.text)}", dom.vars)

    def sat_path_param(
        self, shape: Term, path: str, local: str, value: Term, dom: Dom, v: str, stack: tuple[Term, ...]
    ) -> Dom:
        """The solutions of ``dom`` whose ``?v`` satisfies one constraint of a property shape."""
        w = self.fresh()
        reach = f"{dom.text} . ?{v} {path} ?{w}"
        if local in ("minCount", "maxCount"):
            n = self.integer(value, shape, local)
            if local == "minCount" and n == 0:
                return dom
            if local == "minCount" and n == 1:
                return Dom(project(dom.vars, reach), dom.vars)
            if local == "maxCount" and n == 0:
                return Dom(f"{dom.text} MINUS {project(dom.vars, reach)}", dom.vars)
            test = f">= {n}" if local == "minCount" else f"> {n}"
            counted = (
                f"{{ SELECT {var_list(dom.vars)} WHERE {{ {reach} }} GROUP BY {var_list(dom.vars)} "
                f"HAVING (COUNT(DISTINCT ?{w}) {test}) }}"
            )
            return Dom(counted if local == "minCount" else f"{dom.text} MINUS {counted}", dom.vars)
        if local == "hasValue":
            return Dom(project(dom.vars, f"{dom.text} . ?{v} {path} {self.term(value, shape)}"), dom.vars)
        if local in ("property", "sparql"):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a property shape")
        if local == "qualifiedValueShape":
            low = self.one(shape, SH + "qualifiedMinCount", shape)
            high = self.one(shape, SH + "qualifiedMaxCount", shape)
            good = self.sat(value, Dom(reach, (*dom.vars, w)), w, stack)
            counted = f"SELECT {var_list(dom.vars)} WHERE {{ {good.text} }} GROUP BY {var_list(dom.vars)}"
            if low is not None and (n := self.integer(low, shape, "qualifiedMinCount")) > 0:
                dom = Dom(f"{{ {counted} HAVING (COUNT(DISTINCT ?{w}) >= {n}) }}", dom.vars)
            if high is not None:
                n = self.integer(high, shape, "qualifiedMaxCount")
                dom = Dom(f"{dom.text} MINUS {{ {counted} HAVING (COUNT(DISTINCT ?{w}) > {n}) }}", dom.vars)
            return dom
        bad = self.bad_values(shape, path, local, value, Dom(reach, (*dom.vars, w)), v, w, stack)
        return Dom(f"{dom.text} MINUS {project(dom.vars, bad.text)}", dom.vars)

    def bad_values(
        self, shape: Term, path: str, local: str, value: Term, reach: Dom, v: str, w: str, stack: tuple[Term, ...]
    ) -> Dom:
        """The solutions of ``reach`` (which binds ``?w`` to a value of ``?v`` along the path) where that
        value breaks the constraint: pySHACL reports each of them."""
        if local == "uniqueLang":
            if not (isinstance(value, ox.Literal) and value.value in ("true", "1")):
                return Dom(f"{reach.text} FILTER (false)", reach.vars)
            other = self.fresh()
            return Dom(
                f"{reach.text} . ?{v} {path} ?{other} FILTER (isLiteral(?{w}) && isLiteral(?{other}) && "
                f'!sameTerm(?{w}, ?{other}) && LANG(?{w}) != "" && LCASE(LANG(?{w})) = LCASE(LANG(?{other})))',
                reach.vars,
            )
        if local == "lessThanOrEquals":
            other = self.fresh()
            test = less_or_equal(f"?{w}", f"?{other}")
            return Dom(
                f"{reach.text} . ?{v} {self.term(value, shape)} ?{other} FILTER (!({test}))", (*reach.vars, other)
            )
        return self.unsat_param(shape, local, value, reach, w, stack)

    def value_test(self, shape: Term, local: str, value: Term, x: str) -> str:
        """A SPARQL expression, never an error, true when the value node ``x`` satisfies the constraint."""
        if local == "datatype":
            if not isinstance(value, ox.NamedNode):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:datatype must be an IRI")
            iri = value.value
            if iri == RDFS + "Literal":
                return f"isLiteral({x})"
            if iri == RDF + "langString":
                return f'(isLiteral({x}) && LANG({x}) != "")'
            if iri in RDFLIB_CONVERTED:
                raise UnsupportedShapeError(
                    f"{self.name(shape)}: sh:datatype {shorten(iri)} (its well-formedness check is not compiled)"
                )
            test = f"(isLiteral({x}) && DATATYPE({x}) = {value}"
            if iri in WELL_FORMED:
                pattern, flags = WELL_FORMED[iri]
                test += f' && REGEX(STR({x}), "{pattern}", "{flags}")'
            return f"COALESCE({test}), false)"
        if local == "nodeKind":
            kind = value.value[len(SH) :] if isinstance(value, ox.NamedNode) and value.value.startswith(SH) else ""
            if kind not in NODE_KINDS:
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:nodeKind {value}")
            return NODE_KINDS[kind].format(v=x)
        if local == "in":
            members = self.items(value, shape)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({x}, {self.term(m, shape)})" for m in members) + ")"
        if local == "hasValue":
            return f"sameTerm({x}, {self.term(value, shape)})"
        if local == "pattern":
            if not isinstance(value, ox.Literal):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:pattern must be a literal")
            flags_node = self.objects(shape, SH + "flags")
            flags = flags_node[0].value.lower() if flags_node else ""
            rust_flags = ("i" if "i" in flags else "") + ("m" if "m" in flags else "")
            pattern = python_pattern_to_rust(value.value, "m" in rust_flags)
            self.check_regex(shape, pattern, rust_flags)
            return f"(!isBlank({x}) && REGEX(STR({x}), {sparql_string(pattern)}, {sparql_string(rust_flags)}))"
        if local in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            if not isinstance(value, ox.Literal):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} must be a literal")
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[local]
            return f"COALESCE(isLiteral({x}) && {x} {op} {value}, false)"
        if local in ("minLength", "maxLength"):
            n = self.integer(value, shape, local)
            if local == "minLength" and n == 0:
                return "true"
            op = ">=" if local == "minLength" else "<="
            return f"COALESCE(!isBlank({x}) && STRLEN(STR({x})) {op} {n}, false)"
        if local == "languageIn":
            tags = [m.value.lower() for m in self.items(value, shape) if isinstance(m, ox.Literal)]
            if "*" in tags:
                return f'COALESCE(isLiteral({x}) && LANG({x}) != "", false)'
            listed = ", ".join(sparql_string(t) for t in tags) or '""'
            lang = f"LCASE(LANG({x}))"
            return (
                f'COALESCE(isLiteral({x}) && LANG({x}) != "" && ({lang} IN ({listed}) || '
                f'IF(CONTAINS({lang}, "-"), STRBEFORE({lang}, "-"), {lang}) IN ({listed})), false)'
            )
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} where a single value is tested")

    def refuse_top_level_node(self, shape: Term, local: str) -> None:
        if local == "node":
            # pySHACL then also reports the nested shape's own results (as sh:detail, with generic messages)
            raise UnsupportedShapeError(
                f"{self.name(shape)}: the fast engine does not compile sh:node at the top of a shape "
                "(only inside sh:or, sh:and, sh:not)"
            )

    def check_regex(self, shape: Term, pattern: str, flags: str) -> None:
        """Oxigraph turns an invalid regex into an unbound value, which a FILTER would read as "no match";
        make sure the pattern compiles, so that never happens silently."""
        query = f"SELECT (REGEX('', {sparql_string(pattern)}, {sparql_string(flags)}) AS ?ok) {{}}"
        solutions = self.probe.query(query)
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
        if next(iter(solutions))["ok"] is None:
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:pattern {pattern!r} is not a regex Oxigraph reads")
