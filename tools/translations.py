"""The Chinese edition's message catalogs (book/locales/zh_CN/LC_MESSAGES/**/*.po): update, fill, check.

    python tools/translations.py update         # extract the English messages, merge them into the .po files
    python tools/translations.py check [PO ...] # every message translated, none fuzzy, markup kept
    python tools/translations.py dump PO        # the messages still to translate, numbered, as plain text
    python tools/translations.py apply PO TXT   # write a dumped-and-translated text file back into PO

`update` (`make translations`) runs book/build.py --gettext, then sphinx-intl, then fills the messages
that have nothing to translate (display equations, code names, numbers) with their English text. A
changed English paragraph comes back fuzzy or empty, and `check` (tests/test_translations.py) fails
until its Chinese is written.

A translation keeps the markup that Sphinx resolves: the targets of `{term}`, `{ref}`, `{doc}` and
`{numref}` roles (the shown text may be translated: {term}`循环神经网络 <Recurrent neural network>`),
the keys of `{cite}` and `{glue}`, inline code, inline math and link addresses, each as often as in the
English. A message with English prose must have Chinese in its translation. Glossary headwords stay as
they are (each entry already lists its English, abbreviation and Chinese names, and every `{term}` link
targets one of them), so `update` fills them with their own text.
"""

import argparse
import functools
import pathlib
import re
import subprocess
import sys
from collections import Counter

from babel.messages.pofile import read_po, write_po

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOCALE = ROOT / "book" / "locales" / "zh_CN" / "LC_MESSAGES"
GETTEXT = ROOT / "_build" / "gettext"

ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
CODE = re.compile(r"``?([^`]+)``?")
MATH = re.compile(r"\$\$?([^$]+)\$\$?")
LINK = re.compile(r"\]\(([^)\s]+)\)")
CJK = re.compile(r"[\u3400-\u9fff]")
PROSE = re.compile(r"[A-Za-z]{2,}(?:[ -][A-Za-z]{2,}){2,}")   # three English words in a row
MARKER = re.compile(r"^=== (\d+)\n", re.M)


@functools.cache
def glossary_terms():
    """The headwords of book/glossary.md's glossaries (the unindented lines inside each ```{glossary}```)."""
    terms, inside = set(), False
    for line in (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```{glossary}"):
            inside = True
        elif line.startswith("```"):
            inside = False
        elif inside and line.strip() and not line.startswith((" ", ":")):
            terms.add(line.strip())
    return terms


def catalogs():
    return sorted(LOCALE.rglob("*.po"))


def load(path):
    with open(path, "rb") as f:
        return read_po(f, locale="zh_CN")


def save(catalog, path):
    with open(path, "wb") as f:
        write_po(f, catalog, width=0, omit_header=False, ignore_obsolete=True)  # git keeps old translations


def markup(text):
    """What Sphinx resolves in a message: role targets, code, math and links, counted."""
    found = Counter()
    for role, content in ROLE.findall(text):
        if role in ("term", "ref", "doc", "numref", "eq", "download"):
            target = re.search(r"<([^<>]+)>\s*$", content)
            content = target.group(1) if target else content
        found[f"{{{role}}}{content.strip()}"] += 1
    rest = ROLE.sub(" ", text)
    found.update(f"code:{c}" for c in CODE.findall(rest))
    rest = CODE.sub(" ", rest)
    found.update(f"math:{m.strip()}" for m in MATH.findall(rest))
    found.update(f"link:{u}" for u in LINK.findall(rest))
    return found


def prose(text):
    """The message's English prose, once markup is removed (empty when there is nothing to translate)."""
    rest = CODE.sub(" ", ROLE.sub(" ", text))
    return PROSE.findall(MATH.sub(" ", LINK.sub(" ", rest)))


def needs_translation(message_id, path):
    if path.name == "glossary.po" and message_id in glossary_terms():
        return False
    return bool(re.search(r"[A-Za-z]{2,}", MATH.sub(" ", CODE.sub(" ", ROLE.sub(" ", message_id)))))


def problems(path):
    """Every reason `path` is not a complete, consistent translation, one line each."""
    found = []
    name = path.relative_to(LOCALE) if path.is_relative_to(LOCALE) else path
    for number, message in enumerate(m for m in load(path) if m.id):
        where = f"{name} #{number}: {message.id[:60]!r}"
        if not message.string:
            found.append(f"{where}: not translated")
            continue
        if message.fuzzy:
            found.append(f"{where}: fuzzy (the English changed; check the translation, then drop the flag)")
        if markup(message.id) != markup(message.string):
            lost = markup(message.id) - markup(message.string)
            added = markup(message.string) - markup(message.id)
            found.append(f"{where}: markup differs: missing {sorted(lost)}, extra {sorted(added)}")
        if prose(message.id) and not CJK.search(message.string) and needs_translation(message.id, path):
            found.append(f"{where}: English prose with no Chinese in the translation")
    return found


def fill_verbatim(path):
    """Translate messages with nothing to translate (equations, code, numbers) by their own text."""
    catalog = load(path)
    filled = 0
    for message in catalog:
        if message.id and not message.string and not needs_translation(message.id, path):
            message.string = message.id
            filled += 1
    if filled:
        save(catalog, path)
    return filled


def update():
    subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--gettext"], check=True)
    subprocess.run([str(pathlib.Path(sys.executable).with_name("sphinx-intl")), "update", "-p", str(GETTEXT),
                    "-l", "zh_CN", "-d", str(ROOT / "book" / "locales"), "-w", "0"], check=True)
    for path in catalogs():
        fill_verbatim(path)
        save(load(path), path)  # drops the messages that left the English pages


def dump(path):
    """The untranslated or fuzzy messages of `path`, each after a `=== N` line (N: its place in the file)."""
    out = []
    for number, message in enumerate(m for m in load(path) if m.id):
        if not message.string or message.fuzzy:
            out.append(f"=== {number}\n{message.id}\n")
    return "".join(out)


def apply(path, text_path):
    """Put the translations of a dumped file (`=== N` then the Chinese text) into `path`; clear fuzzy flags."""
    parts = MARKER.split(pathlib.Path(text_path).read_text(encoding="utf-8"))
    translations = {int(parts[i]): parts[i + 1][:-1] if parts[i + 1].endswith("\n") else parts[i + 1]
                    for i in range(1, len(parts), 2)}
    catalog = load(path)
    messages = [m for m in catalog if m.id]
    for number, text in translations.items():
        if number >= len(messages):
            raise ValueError(f"{text_path}: message {number} does not exist; {path} has {len(messages)}")
        messages[number].string = text
        messages[number].flags.discard("fuzzy")
    save(catalog, path)
    return len(translations)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update")
    check = sub.add_parser("check")
    check.add_argument("po", nargs="*", type=pathlib.Path)
    dumping = sub.add_parser("dump")
    dumping.add_argument("po", type=pathlib.Path)
    applying = sub.add_parser("apply")
    applying.add_argument("po", type=pathlib.Path)
    applying.add_argument("text", type=pathlib.Path)
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "dump":
        sys.stdout.write(dump(args.po))
    elif args.command == "apply":
        print(f"{args.po}: {apply(args.po, args.text)} messages written")
    else:
        found = [line for path in (args.po or catalogs()) for line in problems(path.resolve())]
        print("\n".join(found) or "all messages translated, markup kept")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
