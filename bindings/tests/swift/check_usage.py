#!/usr/bin/env python3
"""Checks the iOS demo against the generated Swift bindings, by parsing both (no Swift compiler
can be installed on Linux CI, so this is what stands between a renamed field and a broken app).

    python3 bindings/tests/swift/check_usage.py [--self-test] target/bindings/swift/LinliCore.swift ios-demo/LinliDemo/*.swift

From the generated file it reads every public struct (its fields), enum (its cases, with their
labels), class and protocol (their methods, with argument labels) and top-level function. In
the demo it then checks:

- every call of a generated function or method passes exactly the labels of one of its
  signatures (`device.comment(cycleId:onId:text:replyTo:)`);
- every member read on a value whose type it can follow is a field or method of that type. It
  follows declared types (`var summary: CycleSummary?`, `let code: QrCode`), `if let`/`guard
  let` bindings, `ForEach(list, ...) { item in` and `.map { x in` over typed lists, and chains
  of fields (`model.summary?.phase`, `p.payments`);
- every `case .name` in a `switch` over a generated enum (`switch error as? LinliError`,
  `switch readScanned(text:)`, `switch r.ballot`) is one of that enum's cases, with as many
  bound values as the case has, and a switch without `default` names every case.

`--self-test` first breaks the demo in memory in each of these ways (a renamed field, a wrong
label, an unknown or a forgotten case, a method that does not exist) and fails unless every break is caught.

Exit status 1 with one line per problem; 0 and a summary otherwise.
"""

import pathlib
import re
import sys

SWIFT_TYPES = {"String", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8",
               "UInt16", "UInt32", "UInt64", "Double", "Float", "Data"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def balanced(text, start, open_="{", close="}"):
    """The text between the bracket at `start` and its match (to the end when unmatched)."""
    level = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            level += 1
        elif text[i] == close:
            level -= 1
            if level == 0:
                return text[start + 1:i]
    return text[start + 1:]


def parse_generated(text):
    """(structs: {name: {field: type}}, enums: {name: {case: [labels] or None}},
    classes: {name: {method: [label tuples]}}, funcs: {name: [label tuples]})."""
    text = strip_comments(text)
    structs, enums, classes, funcs = {}, {}, {}, {}
    # uniffi writes errors as `public \nenum LinliError: Swift.Error, ...`.
    for m in re.finditer(r"^(?:public|open)\s+(struct|enum|class|protocol) (\w+)[^{]*\{", text, re.M):
        kind, name = m.group(1), m.group(2)
        if name.startswith(("FfiConverter", "Uniffi", "_")):
            continue
        body = balanced(text, m.end() - 1)
        if kind == "struct":
            fields = structs.setdefault(name, {})
            for f in re.finditer(r"^    public (?:var|let) (\w+): ([^\n=]+)", body, re.M):
                fields[f.group(1)] = f.group(2).strip()
        elif kind == "enum":
            cases = enums.setdefault(name, {})
            for c in re.finditer(r"^    case (\w+)(\(([^)]*)\))?", body, re.M):
                cases[c.group(1)] = None if c.group(2) is None else list(labels_of(c.group(3)))
        else:
            if kind == "protocol" and name.endswith("Protocol"):
                name = name[: -len("Protocol")]
            methods = classes.setdefault(name, {})
            for f in re.finditer(r"\bfunc (\w+)\(([^)]*)\)", body):
                methods.setdefault(f.group(1), []).append(labels_of(f.group(2)))
            for f in re.finditer(r"\binit\(([^)]*)\)", body):
                methods.setdefault("init", []).append(labels_of(f.group(1)))
    for m in re.finditer(r"^public func (\w+)\(([^)]*)\)", text, re.M):
        if not m.group(1).startswith(("FfiConverter", "uniffi")):
            funcs.setdefault(m.group(1), []).append(labels_of(m.group(2)))
    return structs, enums, classes, funcs


def labels_of(params):
    """Argument labels of a Swift parameter list (`_` for none)."""
    out = []
    level = 0
    part = ""
    for c in params + ",":
        if c in "([<":
            level += 1
        elif c in ")]>":
            level -= 1
        if c == "," and level == 0:
            p = part.strip()
            if p:
                out.append(p.split(":")[0].split()[0])
            part = ""
        else:
            part += c
    return tuple(out)


def call_labels(args):
    """Labels of the arguments of a call, top level only (`_` for an unlabelled one)."""
    out, level, part = [], 0, ""
    for c in args + ",":
        if c in "([{":
            level += 1
        elif c in ")]}":
            level -= 1
        if c == "," and level == 0:
            p = part.strip()
            if p:
                m = re.match(r"^(\w+):(?!:)", p)
                out.append(m.group(1) if m else "_")
            part = ""
        else:
            part += c
    return tuple(out)


def base_type(t):
    """`[ProposalItem]?` -> ("list", "ProposalItem"); `CycleSummary?` -> ("one", "CycleSummary")."""
    t = t.strip().rstrip("?!").strip()
    if t.startswith("[") and t.endswith("]") and ":" not in t:
        return "list", t[1:-1].strip().rstrip("?")
    return "one", t


# Members of Optional and Array, not of the wrapped type (`model.summary.map { ... }`).
OPTIONAL = {"map", "flatMap", "compactMap", "self", "count", "isEmpty", "first", "last"}


def demo_code(src):
    """The demo's code without comments, and with every string literal reduced to the
    expressions interpolated into it (a localised key like "project.line" is not code)."""
    src = strip_comments(src)
    out, i = [], 0
    while i < len(src):
        if src[i] == '"':
            j, parts = i + 1, []
            while j < len(src) and src[j] != '"':
                if src.startswith("\\(", j):
                    k, level = j + 2, 1
                    while k < len(src) and level:
                        level += {"(": 1, ")": -1}.get(src[k], 0)
                        k += 1
                    parts.append(" (" + src[j + 2:k - 1] + ") ")
                    j = k
                    continue
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "".join(parts))
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return "".join(out)


class Checker:
    def __init__(self, generated):
        self.structs, self.enums, self.classes, self.funcs = parse_generated(generated)
        # What each top-level function returns, for `switch readScanned(text: t) {`.
        self.returns = dict(re.findall(r"^public func (\w+)\(.*\)\s*(?:throws\s*)?->\s*(\w+)", generated, re.M))
        self.types = set(self.structs) | set(self.enums) | set(self.classes)
        self.problems = []
        self.checked = 0
        self.own = {}

    def members(self, t):
        return set(self.structs.get(t, {})) | set(self.classes.get(t, {}))

    def field_type(self, t, name):
        return self.structs.get(t, {}).get(name)

    def check_file(self, path, src):
        """Each top-level type of the file on its own, so a name bound in two screens (`p` for
        a proposal in one and a project in another) is followed in each."""
        whole = demo_code(src)
        scopes = [balanced(whole, m.end() - 1)
                  for m in re.finditer(r"^(?:[\w@]+ )*(?:struct|class|enum|extension) \w+[^{]*\{", whole, re.M)]
        for code in scopes or [whole]:
            self.check_scope(path, code)

    def check_scope(self, path, code):
        # A closure parameter named after a generated class (`run { device in ... }`) is one.
        env = {c[0].lower() + c[1:]: c for c in self.classes
               if re.search(rf"\b{c[0].lower() + c[1:]}\s+in\b", code)}
        # Declared types: properties, lets and vars, parameters (`code: QrCode`).
        for m in re.finditer(r"\b(?:var|let)\s+(\w+)\s*:\s*([\[\]\w?.]+)", code):
            env[m.group(1)] = m.group(2)
        for m in re.finditer(r"[(,]\s*(\w+)\s*:\s*(\[?\w+\]?\??)\s*[,)]", code):
            if base_type(m.group(2))[1] in self.types:
                env.setdefault(m.group(1), m.group(2))
        # `if let x = expr`, `guard let x = expr`, closures over lists.
        for _ in range(3):
            for m in re.finditer(r"\b(?:if|guard)\s+let\s+(\w+)\s*=\s*([\w.?]+)", code):
                t = self.type_of(m.group(2), env)
                if t:
                    env[m.group(1)] = base_type(t)[1]
            for m in re.finditer(r"ForEach\(([\w.?]+)[^{]*\{\s*(\w+)\s+in", code):
                t = self.type_of(m.group(1), env)
                if t and base_type(t)[0] == "list":
                    env[m.group(2)] = base_type(t)[1]
            for m in re.finditer(r"([\w.?]+)\.(?:map|forEach|filter|first\(where:)\s*\{\s*(\w+)\s+in", code):
                t = self.type_of(m.group(1), env)
                if t and base_type(t)[0] == "list":
                    env[m.group(2)] = base_type(t)[1]
        # Every member read on a value of a generated type.
        for m in re.finditer(r"\b([a-z]\w*)((?:\??\.\w+)+)", code):
            self.walk(path, m.group(1), [p for p in re.split(r"\??\.", m.group(2)) if p], env.get(m.group(1)))
        # Calls of generated functions and methods: the labels must match a signature.
        calls = re.sub(r"\bcase\s+[^:\n]*:", "", code)  # patterns are not calls
        own_funcs = set(re.findall(r"\bfunc\s+(\w+)", code))  # the demo's own, and declarations
        for m in re.finditer(r"(?<![\w.])(?:(\w+)\??(\.))?(\w+)\(", calls):
            receiver, dotted, name = m.group(1), m.group(2) or "", m.group(3)
            if dotted:
                # A method: checked when the receiver's type is a generated class.
                owner = base_type(env.get(receiver, ""))[1] if receiver else None
                sigs = self.classes.get(owner, {}).get(name) if owner in self.classes else None
            else:
                sigs = None if name in own_funcs else self.funcs.get(name)
            if not sigs and name in self.types and not dotted:
                sigs = self.classes.get(name, {}).get("init") or None
                if name in self.structs:
                    sigs = [tuple(self.structs[name])]
            if not sigs:
                continue
            args = balanced(calls, m.end() - 1, "(", ")")
            labels = call_labels(args)
            self.checked += 1
            if labels not in sigs:
                self.problems.append(f"{path}: {name}({', '.join(l + ':' for l in labels)}) matches no "
                                     f"generated signature {sorted(sigs)}")
        # `case .x` in switches over generated enums.
        for m in re.finditer(r"switch\s+([^{]+)\{", code):
            subject = m.group(1).strip()
            cast = re.search(r"as\?\s*(\w+)$", subject)
            enum = cast.group(1) if cast else None
            if enum is None:
                call = re.match(r"(\w+)\(", subject)
                enum = self.returns.get(call.group(1)) if call else None
            if enum is None:
                t = self.type_of(subject, env)
                enum = base_type(t)[1] if t else None
            if enum not in self.enums:
                continue
            body = balanced(code, m.end() - 1)
            named = set(re.findall(r"(?:case\s+|,\s*)\.(\w+)", body))
            missing = sorted(set(self.enums[enum]) - named)
            if missing and not re.search(r"\bdefault\s*:", body):
                self.problems.append(f"{path}: switch over {enum} misses {', '.join(missing)} "
                                     "(Swift requires every case)")
            for c in re.finditer(r"case\s+((?:\.\w+(?:\([^)]*\))?\s*,?\s*)+):", body):
                for case in re.finditer(r"\.(\w+)(?:\(([^)]*)\))?", c.group(1)):
                    self.checked += 1
                    cases = self.enums[enum]
                    if case.group(1) not in cases:
                        self.problems.append(f"{path}: case .{case.group(1)}: {enum} has no such case")
                    elif case.group(2) is not None and cases[case.group(1)] is not None \
                            and len(case.group(2).split(",")) != len(cases[case.group(1)]):
                        self.problems.append(f"{path}: case .{case.group(1)} binds {case.group(2)!r}, "
                                             f"but it has {len(cases[case.group(1)])} values")

    def walk(self, path, name, chain, t):
        """Checks `name.a.b.c`, `name` being of type `t`: through the demo's own types (the
        model's properties) and into generated ones, each member a field or method of its type."""
        for member in chain:
            if t is None:
                return
            kind, t = base_type(t)
            if kind == "list" or t in self.enums or member in OPTIONAL:
                return
            if t not in self.types:
                t = self.own.get(f"{t}.{member}")
                continue
            self.checked += 1
            if member not in self.members(t):
                self.problems.append(f"{path}: {name}.{'.'.join(chain)}: {t} has no member {member}")
                return
            t = self.field_type(t, member)

    def type_of(self, expr, env):
        parts = [p for p in re.split(r"\??\.", expr.strip().rstrip("?")) if p]
        if not parts:
            return None
        t = env.get(parts[0])
        for member in parts[1:]:
            if t is None:
                return None
            kind, base = base_type(t)
            if kind == "list":
                return None
            t = self.field_type(base, member) or self.own.get(f"{base}.{member}")
        return t


def run(generated, sources):
    """Problems and the number of uses checked, for the demo's sources {path: text}."""
    checker = Checker(generated)
    # Properties of the demo's own classes (`AppModel.summary: CycleSummary?`), so that chains
    # through them (`model.summary`, `if let s = model.summary`) are followed.
    for src in sources.values():
        code = demo_code(src)
        for c in re.finditer(r"\b(?:class|struct) (\w+)[^{]*\{", code):
            for m in re.finditer(r"^    (?:@\w+ )*(?:private )?(?:var|let) (\w+)\s*:\s*([\[\]\w?]+)",
                                 balanced(code, c.end() - 1), re.M):
                checker.own[f"{c.group(1)}.{m.group(1)}"] = m.group(2)
    for p, src in sources.items():
        checker.check_file(p, src)
    return checker.problems, checker.checked, len(checker.types)


# Each break of the demo the check must catch: (file, text, broken text).
BREAKS = [
    ("ContentView.swift", "s.poolFen", "s.poolFenInYuan"),
    ("AppModel.swift", "device.ballotBox(cycleId: cycle)", "device.ballotBox(cycle: cycle)"),
    ("AppModel.swift", "try device.monitor(cycleId: cycle, projectId: projectId, kind: kind,",
     "try device.monitor(cycleId: cycle, project: projectId, kind: kind,"),
    ("AppModel.swift", "case .deviceKey:", "case .publicKey:"),
    ("AppModel.swift", "case .invite(let invite, _):", "case .invite(let invite):"),
    ("AppModel.swift", "try device.rememberedPeer(address: address)", "try device.peerAt(address: address)"),
    ("AppModel.swift", ".KeyStoreUnavailable(let detail)", ".KeychainLocked(let detail)"),
    ("AppModel.swift", ",\n             .KeyStoreUnavailable(let detail):", ":"),
    ("QrViews.swift", "code.modules[", "code.cells["),
]


def main(argv):
    self_test = "--self-test" in argv
    paths = [a for a in argv if a != "--self-test"]
    generated = pathlib.Path(paths[0]).read_text(encoding="utf-8")
    sources = {p: pathlib.Path(p).read_text(encoding="utf-8") for p in paths[1:]}
    if self_test:
        for name, old, new in BREAKS:
            path = next(p for p in sources if p.endswith(name))
            if old not in sources[path]:
                print(f"self-test: {name} no longer contains {old!r}: update BREAKS")
                return 1
            broken = dict(sources, **{path: sources[path].replace(old, new, 1)})
            if not run(generated, broken)[0]:
                print(f"self-test: breaking {old!r} into {new!r} in {name} was not caught")
                return 1
        print(f"swift usage self-test: {len(BREAKS)} of {len(BREAKS)} breaks caught")
    problems, checked, types = run(generated, sources)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"swift usage: {checked} uses of {types} generated types checked, 0 problems")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
