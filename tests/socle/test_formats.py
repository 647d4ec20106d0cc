"""Nombres, montants et dates à la québécoise."""

import datetime as dt

import pytest

from evaluation.socle import formats

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("cents", "texte"),
    [
        (2_500_000, f"25{NBSP}000{NBSP}$"),
        (2_500_050, f"25{NBSP}000,50{NBSP}$"),
        (0, f"0{NBSP}$"),
        (123_456_789, f"1{NBSP}234{NBSP}567,89{NBSP}$"),
        (None, "—"),
    ],
)
def test_montant(cents, texte):
    assert formats.montant(cents) == texte


@pytest.mark.parametrize(
    ("cents", "texte"), [(2_500_050, "25000.50"), (5, "0.05"), (-100, "-1.00"), (None, "")]
)
def test_dollars(cents, texte):
    assert formats.dollars(cents) == texte


@pytest.mark.parametrize(
    ("jour", "texte"),
    [
        (dt.date(2024, 4, 1), "1er avril 2024"),
        (dt.date(2025, 3, 31), "31 mars 2025"),
        (dt.date(2024, 8, 2), "2 août 2024"),
    ],
)
def test_date(jour, texte):
    assert formats.date(jour) == texte


def test_pourcentage():
    assert formats.pourcentage(0.125) == f"12,5{NBSP}%"
