"""Rule documentation from the registry: `reviewlens rule(s)`, docs/rules.md, the README list.

Everything here is generated from the rule classes (metadata + docstring sections), so the
docs cannot drift from the code: tests/test_cli_docs.py fails when docs/rules.md or the
README rule list is stale; `python scripts/gen_docs.py` regenerates both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reviewlens.analyzers import registry
from reviewlens.analyzers.model import FixAvailability
from reviewlens.analyzers.rule import Rule

README_START = "<!-- rules:start -->"
README_END = "<!-- rules:end -->"
LANG_LABEL = {"python": "Python", "typescript": "TypeScript/JavaScript"}
SHORT_LANG = {"python": "py", "typescript": "ts/js"}
FIX_LABEL = {
    FixAvailability.ALWAYS: "always",
    FixAvailability.SOMETIMES: "sometimes",
    FixAvailability.NONE: "none",
}


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: str
    impls: tuple[type[Rule], ...]

    @property
    def languages(self) -> list[str]:
        return [i.language for i in self.impls]

    @property
    def fix(self) -> str:
        """Best fix availability over the implementations, with the languages when they differ."""
        per = {i.language: i.fix_availability for i in self.impls}
        values = set(per.values())
        if len(values) == 1:
            return FIX_LABEL[values.pop()]
        return ", ".join(f"{SHORT_LANG[lang]}: {FIX_LABEL[v]}" for lang, v in per.items())

    @property
    def summary(self) -> str:
        return self.impls[0].summary()

    @property
    def short_summary(self) -> str:
        """The summary's first sentence (for tables)."""
        text = self.summary
        m = re.search(r"(?<=[.!?])\s+(?=[A-Z`\"(])", text)
        return text[: m.start()] if m else text

    @property
    def docs_url(self) -> str:
        return self.impls[0].docs_url()

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"

    @property
    def deprecated_api(self) -> bool:
        return any(i.deprecated for i in self.impls)

    def options(self) -> dict:
        out: dict = {}
        for i in self.impls:
            out.update(i.options)
        return out


def rules() -> list[RuleInfo]:
    return [
        RuleInfo(code, impls[0].name, str(impls[0].severity), impls)
        for code, impls in registry.by_code().items()
    ]


def rule_info(code_or_name: str) -> RuleInfo | None:
    impls = registry.get(code_or_name)
    if not impls:
        return None
    return RuleInfo(impls[0].code, impls[0].name, str(impls[0].severity), impls)


def _demote(markdown: str, levels: int) -> str:
    """Push headings down (outside fenced code) so a rule's `## What it does` nests."""
    out = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,5} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def header_lines(info: RuleInfo) -> list[str]:
    langs = ", ".join(LANG_LABEL[lang] for lang in info.languages)
    return [
        f"Code: {info.code}",
        f"Name: {info.name}",
        f"Severity: {info.severity}",
        f"Fix: {info.fix}",
        f"Languages: {langs}",
    ]


def rule_markdown(info: RuleInfo, *, heading_level: int = 1, with_header: bool = True) -> str:
    """The full docs of one code: every language implementation's sections."""
    h = "#" * heading_level
    parts = [f"{h} {info.code} {info.name}", ""]
    if with_header:
        langs = ", ".join(LANG_LABEL[lang] for lang in info.languages)
        parts += [
            f"**Severity:** {info.severity} · **Fix:** {info.fix} · **Languages:** {langs}"
            + (" · deprecated API" if info.deprecated_api else ""),
            "",
        ]
    if len(info.impls) == 1:
        parts.append(_demote(info.impls[0].docs(), heading_level - 1))
    else:
        for impl in info.impls:
            parts += [f"{h}# {LANG_LABEL[impl.language]}", "", _demote(impl.docs(), heading_level), ""]
    return "\n".join(parts).rstrip() + "\n"


def rule_help_text(info: RuleInfo) -> str:
    """Plain-text help (SARIF help.text): the docs without markdown headings' hashes."""
    md = rule_markdown(info, heading_level=1, with_header=False)
    return "\n".join(re.sub(r"^#+ ", "", line) for line in md.splitlines()).strip() + "\n"


def _table(infos: list[RuleInfo], link_prefix: str) -> list[str]:
    lines = [
        "| Code | Name | Languages | Severity | Fix | What it flags |",
        "|------|------|-----------|----------|-----|---------------|",
    ]
    for info in infos:
        langs = ", ".join(SHORT_LANG[lang] for lang in info.languages)
        summary = info.short_summary.replace("|", "\\|")
        lines.append(
            f"| [{info.code}]({link_prefix}#{info.anchor}) | {info.name} | {langs} | {info.severity} | {info.fix} | {summary} |"
        )
    return lines


def rules_md() -> str:
    infos = rules()
    out = [
        "# reviewlens rules",
        "",
        "<!-- Generated from the rule classes by `python scripts/gen_docs.py`; do not edit by hand. -->",
        "",
        f"{len(infos)} rules. `reviewlens rule CODE` prints one of these pages in the terminal.",
        "Fix: `always`/`sometimes` means a fix is offered (see each rule's *Fix safety* for whether",
        "`--fix` applies it or it needs `--unsafe-fixes`); `none` means no automatic fix.",
        "",
        *_table(infos, ""),
        "",
    ]
    for info in infos:
        out += [rule_markdown(info, heading_level=2), ""]
    return "\n".join(out).rstrip() + "\n"


def readme_block() -> str:
    return "\n".join(
        [README_START, "<!-- Generated by `python scripts/gen_docs.py`; do not edit by hand. -->", "",
         *_table(rules(), "docs/rules.md"), "", README_END]
    )


def update_readme(text: str) -> str:
    start = text.find(README_START)
    end = text.find(README_END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"README lacks the {README_START} / {README_END} markers")
    return text[:start] + readme_block() + text[end + len(README_END):]


def generated_files(repo: Path) -> dict[Path, str]:
    """Each generated file -> the content it must have."""
    readme = repo / "README.md"
    return {
        repo / "docs" / "rules.md": rules_md(),
        readme: update_readme(readme.read_text(encoding="utf-8")),
    }


def stale_files(repo: Path) -> list[Path]:
    out = []
    for path, content in generated_files(repo).items():
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != content:
            out.append(path)
    return out


def write_generated(repo: Path) -> list[Path]:
    changed = []
    for path, content in generated_files(repo).items():
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    return changed
