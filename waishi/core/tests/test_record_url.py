"""``record_url``: a record page's address as ``reverse`` gives it, the pattern resolved once."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from waishi.core.models import record_url

PAGES = ["travel:trip", "directory:person", "passports:traveldocument", "partners:partnership", "users:user"]


@settings(deadline=None)  # the first call loads the URL configuration
@given(page=st.sampled_from(PAGES), pk=st.integers(min_value=1, max_value=2**63 - 1))
def test_a_records_page_is_where_reverse_puts_it(page, pk):
    assert record_url(page, pk) == reverse(page, args=[pk])


@pytest.mark.parametrize("prefix", ["/", "/waishi/", "/外事/"])
def test_the_script_prefix_of_the_request_is_kept(prefix):
    """Served under a prefix (SCRIPT_NAME), the address follows it, not the first one seen."""
    record_url("travel:trip", 1)
    set_script_prefix(prefix)
    try:
        assert record_url("travel:trip", 7) == reverse("travel:trip", args=[7])
        assert record_url("travel:trip", 7).startswith(reverse("travel:trip_list").rsplit("trips/", 1)[0])
    finally:
        clear_script_prefix()


def test_a_key_that_is_not_a_number_is_reversed():
    assert record_url("directory:country", "JP") == reverse("directory:country", args=["JP"])


@pytest.mark.parametrize("key", [True, -5])
def test_a_key_no_pattern_takes_is_refused_as_reverse_refuses_it(key):
    with pytest.raises(NoReverseMatch):
        reverse("travel:trip", args=[key])
    with pytest.raises(NoReverseMatch):
        record_url("travel:trip", key)
