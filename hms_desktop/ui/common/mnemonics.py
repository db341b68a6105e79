"""Alt keys for labels built from data (form fields), so every field of a dialog has one and
no two share a letter (the window-walker test checks the whole window)."""

from __future__ import annotations


def with_mnemonic(title: str, used: set[str]) -> str:
    """``title`` with "&" before its first letter not in ``used`` (which it then joins);
    unchanged when every letter is taken (a screen reader still reads the label)."""
    for i, ch in enumerate(title):
        if ch.isalnum() and ch.lower() not in used:
            used.add(ch.lower())
            return f"{title[:i]}&{title[i:]}"
    return title


def mnemonic_of(text: str) -> str:
    """The Alt letter of a caption ("" for none); "&&" is a literal ampersand."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return ""
