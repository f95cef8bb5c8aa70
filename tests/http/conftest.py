"""The pages' site (``tests/http/pages.py``) for every test here."""

from tests.http.pages import site

__all__ = ["site"]
