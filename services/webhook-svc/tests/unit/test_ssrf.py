"""SSRF: URLs into private networks are refused, by literal address or by what a name
resolves to; an operator's allowlisted development hosts are let through."""
from __future__ import annotations

import pytest
from clientsynq.webhooks.domain.addresses import check_url
from clientsynq.webhooks.domain.errors import UnsafeUrl

NAMES = {"internal.example.com": ["10.1.2.3"], "mixed.example.com": ["93.184.216.34", "::1"],
         "public.example.com": ["93.184.216.34", "2606:2800:220:1::1"]}


def resolve(host: str) -> list[str]:
    return NAMES.get(host, [])


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://[::1]/hook", "https://10.0.0.1/hook",
    "https://172.16.5.4/hook", "https://192.168.1.1/hook", "https://169.254.169.254/latest",
    "https://100.64.0.1/hook", "https://224.0.0.1/hook", "https://0.0.0.0/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://[fd00::1]/hook", "https://[fe80::1]/hook",
    "https://internal.example.com/hook", "https://mixed.example.com/hook",
    "https://unknown.example.com/hook", "https://metadata.google.internal/computeMetadata",
    "http://public.example.com/hook", "ftp://public.example.com/hook",
    "https://user:pw@public.example.com/hook", "https://public.example.com:99999/hook",
    "not a url",
])
def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeUrl):
        check_url(url, resolve, allowed_hosts=())


def test_a_public_https_url_is_accepted():
    check_url("https://public.example.com/hooks/clientsynq", resolve, allowed_hosts=())


def test_allowlisted_development_hosts_may_use_http_and_loopback():
    check_url("http://127.0.0.1:8099/hook", resolve, allowed_hosts=("127.0.0.1",))
    with pytest.raises(UnsafeUrl):
        check_url("http://127.0.0.2:8099/hook", resolve, allowed_hosts=("127.0.0.1",))
