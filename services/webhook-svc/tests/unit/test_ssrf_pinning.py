"""The SSRF check hands back the addresses it vetted, which the sender pins."""
from __future__ import annotations

import pytest
from clientsynq.webhooks.domain.addresses import check_url
from clientsynq.webhooks.domain.errors import UnsafeUrl


def test_the_check_returns_the_addresses_it_vetted():
    names = {"public.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}
    assert check_url("https://public.example.com/h", lambda h: names.get(h, []), ()) == (
        "93.184.216.34", "2606:2800:220:1::1")
    assert check_url("https://93.184.216.34/h", lambda h: [], ()) == ("93.184.216.34",)


def test_an_allowlisted_name_is_resolved_by_our_resolver_too():
    assert check_url("http://dev.invalid:8099/h", lambda h: ["127.0.0.1"],
                     ("dev.invalid",)) == ("127.0.0.1",)
    with pytest.raises(UnsafeUrl):
        check_url("http://dev.invalid:8099/h", lambda h: [], ("dev.invalid",))
