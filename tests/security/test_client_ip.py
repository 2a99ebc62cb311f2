"""The client IP behind the reverse proxy (issue 13, item 4): one function for axes and logs."""

import pytest
from django.test import RequestFactory, override_settings

from portal.client_ip import client_ip

PROXY = "127.0.0.1"


def request(forwarded=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(request("203.0.113.7")) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_with_one_proxy_the_entry_it_added_is_the_client():
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_header_cannot_choose_the_address():
    # The client sent "X-Forwarded-For: 198.51.100.1"; nginx appended the real address.
    assert client_ip(request("198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request("garbage, 1.2.3.4 ,203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_with_two_proxies_the_second_entry_from_the_right():
    assert client_ip(request("198.51.100.1, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("header", [None, "", "not-an-ip", "203.0.113.7, <script>"])
def test_a_missing_or_unreadable_header_falls_back_to_remote_addr(header):
    assert client_ip(request(header)) == PROXY


def test_ipv6_and_no_request():
    assert client_ip(request(remote="2001:db8::1")) == "2001:db8::1"
    assert client_ip(None) == "unknown"
