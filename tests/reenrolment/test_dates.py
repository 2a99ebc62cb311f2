from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from reenrolment.templatetags.reenrolment_tags import fr_date, fr_datetime

UTC = ZoneInfo("UTC")


def test_it_shows_the_deadline_in_paris_time_the_french_way():
    assert fr_datetime(datetime(2027, 6, 30, 21, 59, tzinfo=UTC)) == "30 juin 2027 à 23 h 59"
    assert fr_datetime(datetime(2027, 1, 1, 8, 5, tzinfo=UTC)) == "1er janvier 2027 à 9 h 05"
    assert fr_datetime(None) == ""


def test_it_follows_the_page_language_in_english():
    with translation.override("en"):
        assert fr_date(datetime(2027, 5, 1, 12, tzinfo=UTC)) == "1 May 2027"
        assert fr_datetime(datetime(2027, 6, 30, 21, 59, tzinfo=UTC)) == "30 June 2027 at 23:59"
        assert fr_datetime(datetime(2027, 1, 1, 8, 5, tzinfo=UTC)) == "1 January 2027 at 9:05"
