"""Fill `locale/en/LC_MESSAGES/django.po` from `locale/en/translations.py`.

Run by `make messages` after `makemessages -l en`, before `compilemessages`. Every msgid of
the catalogue gets its English msgstr (plural forms included) and loses any `fuzzy` flag; a
msgid missing from the dictionary is listed and the script exits with status 1, so a new
French string cannot reach an English page untranslated. Standard library only (no polib).
"""

import ast
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PO_PATH = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANSLATIONS_PATH = BASE_DIR / "locale" / "en" / "translations.py"

HEADER = {
    "Project-Id-Version": "Portail Familles",
    "Language-Team": "English",
    "Last-Translator": "Portail Familles",
    "Language": "en",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


@dataclass
class Entry:
    """One catalogue entry: its comment lines, kept as they are, and its strings."""

    comments: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False


def unquote(text: str) -> str:
    return ast.literal_eval(text)


def quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    if "\\n" in escaped[:-2]:  # multi-line strings: one source line per line, as gettext does
        parts = escaped.split("\\n")
        lines = [f"{part}\\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        return '""\n' + "\n".join(f'"{line}"' for line in lines)
    return f'"{escaped}"'


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        entry = Entry()
        target = None
        for line in lines:
            if line.startswith("#~"):
                entry.obsolete = True
                entry.comments.append(line)
                continue
            if line.startswith("#"):
                entry.comments.append(line)
                continue
            keyword, _, value = line.partition(" ")
            if line.startswith('"'):
                keyword, value = target, line
            else:
                target = keyword
            string = unquote(value)
            if keyword == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + string
            elif keyword == "msgid":
                entry.msgid += string
            elif keyword == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + string
            elif keyword == "msgstr":
                entry.msgstr[0] = entry.msgstr.get(0, "") + string
            elif keyword and keyword.startswith("msgstr["):
                index = int(keyword[7:-1])
                entry.msgstr[index] = entry.msgstr.get(index, "") + string
            else:
                raise ValueError(f"Unexpected line in {PO_PATH}: {line!r}")
        entries.append(entry)
    return entries


def render(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        lines = list(entry.comments)
        if entry.obsolete:
            blocks.append("\n".join(lines))
            continue
        if entry.msgctxt is not None:
            lines.append(f"msgctxt {quote(entry.msgctxt)}")
        lines.append(f"msgid {quote(entry.msgid)}")
        if entry.msgid_plural is not None:
            lines.append(f"msgid_plural {quote(entry.msgid_plural)}")
            lines.extend(f"msgstr[{i}] {quote(s)}" for i, s in sorted(entry.msgstr.items()))
        else:
            lines.append(f"msgstr {quote(entry.msgstr.get(0, ''))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def unfuzzy(entry: Entry) -> None:
    comments = []
    for line in entry.comments:
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        comments.append(line)
    entry.comments = comments


def fill_header(entry: Entry) -> None:
    fields = []
    for line in entry.msgstr.get(0, "").splitlines():
        name, _, value = line.partition(":")
        fields.append([name, HEADER.get(name, value.strip())])
    for name, value in HEADER.items():
        if name not in {existing for existing, _ in fields}:
            fields.append([name, value])
    entry.msgstr[0] = "".join(f"{name}: {value}\n" for name, value in fields)
    entry.comments = ["# English translation of Portail Familles (see docs/i18n.md)."]
    unfuzzy(entry)


def load_translations() -> dict:
    spec = importlib.util.spec_from_file_location("en_translations", TRANSLATIONS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TRANSLATIONS


def apply(entries: list[Entry], translations: dict) -> list[str]:
    missing = []
    for entry in entries:
        if entry.obsolete:
            continue
        if entry.msgid == "":
            fill_header(entry)
            continue
        value = translations.get(entry.msgid)
        plural = entry.msgid_plural is not None
        if value is None or plural != isinstance(value, tuple):
            missing.append(entry.msgid)
            continue
        entry.msgstr = dict(enumerate(value)) if plural else {0: value}
        unfuzzy(entry)
    return missing


def main() -> int:
    entries = parse(PO_PATH.read_text(encoding="utf-8"))
    missing = apply(entries, load_translations())
    PO_PATH.write_text(render(entries), encoding="utf-8")
    if missing:
        print(f"{len(missing)} msgid(s) without an English translation in {TRANSLATIONS_PATH}:")
        for msgid in missing:
            print(f"  {msgid!r}")
        return 1
    print(f"{PO_PATH.relative_to(BASE_DIR)}: every msgid translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
