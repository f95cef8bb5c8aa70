"""Files the CLI reads and writes for a person (``-o``, ``--digest``, ``--tokens-file``): a
folder that does not exist, a folder named where a file is due, or a file that cannot be read
or written ends in a sentence naming the option and the path (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import typer


def writable(path: str, option: str) -> Path:
    """``path`` if a file can be written there: checked before long work, not after it."""
    target = _named(path, option)
    if target.is_dir():
        raise typer.BadParameter(f"{path!r} is a folder; name a file in it", param_hint=option)
    if not target.parent.is_dir():
        raise typer.BadParameter(
            f"the folder {str(target.parent)!r} does not exist; create it first",
            param_hint=option,
        )
    return target


def write_file(path: str, data: str | bytes, option: str) -> None:
    """Writes ``data`` (text as UTF-8) to ``path``, the value of ``option``."""
    target = writable(path, option)
    try:
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write {path!r}: {error.strerror or error}", param_hint=option
        ) from None


def read_file(path: str, option: str) -> str:
    """The UTF-8 text of ``path``, the value of ``option``."""
    source = _named(path, option)
    if source.is_dir():
        raise typer.BadParameter(f"{path!r} is a folder, not a file", param_hint=option)
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise typer.BadParameter(f"no file {path!r}", param_hint=option) from None
    except UnicodeDecodeError:
        raise typer.BadParameter(f"{path!r} is not UTF-8 text", param_hint=option) from None
    except OSError as error:
        raise typer.BadParameter(
            f"cannot read {path!r}: {error.strerror or error}", param_hint=option
        ) from None


def _named(path: str, option: str) -> Path:
    if not path.strip():
        raise typer.BadParameter("name a file", param_hint=option)
    return Path(path)
