"""AppTest sur l'application entière, avec une base neuve par test."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import RACINE_PROJET

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def base(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("EVALUATION_BASE", url)
    return url


@pytest.fixture
def application(base):
    def ouvrir(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        if page:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        return at

    return ouvrir


def textes(at: AppTest) -> str:
    """Tout le texte visible (markdown, légendes, alertes, titres d'expanders)."""
    morceaux = [m.value for m in at.markdown] + [c.value for c in at.caption]
    morceaux += [e.value for e in (*at.success, *at.info, *at.warning, *at.error)]
    morceaux += [e.label for e in at.expander]
    return "\n".join(morceaux)
