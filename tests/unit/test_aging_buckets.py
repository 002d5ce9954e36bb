from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.aging import (
    BucketError,
    bucket_index,
    bucket_labels,
    bucket_start_dates,
    parse_limits,
)


def test_labels_for_the_standard_limits():
    assert bucket_labels((30, 60, 90)) == ["current", "1-30", "31-60", "61-90", "91+"]
    assert bucket_labels((7,)) == ["current", "1-7", "8+"]


@pytest.mark.parametrize(("days", "index"), [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (90, 3), (91, 4)])
def test_bucket_index(days, index):
    assert bucket_index(days, (30, 60, 90)) == index


@pytest.mark.parametrize("text", ["", "30,30", "60,30", "0,30", "a,b", "-1"])
def test_bad_limits_are_refused(text):
    with pytest.raises(BucketError):
        parse_limits(text)


@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=8, unique=True).map(sorted),
    st.integers(-50, 600),
)
def test_date_boundaries_agree_with_day_counts(limits, days):
    """The SQL uses date comparisons; they must put a date in the same bucket as counting days."""
    as_of = date(2026, 6, 30)
    ref = as_of - timedelta(days=days)
    starts = bucket_start_dates(as_of, limits)
    by_dates = next((i for i, s in enumerate(starts) if ref > s), len(starts))
    assert by_dates == bucket_index(days, limits)
