import re

SITE_URL = "https://portail.example.org"


def link_in(message, fragment: str) -> str:
    """The path of the first link of the e-mail that contains `fragment` (text part)."""
    for url in re.findall(r"https?://\S+", message.body):
        if fragment in url:
            assert url.startswith(SITE_URL), url
            return url.removeprefix(SITE_URL)
    raise AssertionError(f"no link with {fragment!r} in:\n{message.body}")
