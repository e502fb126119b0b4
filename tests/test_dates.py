"""Dates are resolved against the article's own publication date, never more precisely than the text."""

import datetime as dt

from pipeline.extract.dates import find_dates
from pipeline.extract.text import find_published_date

TUESDAY_24_FEB = dt.date(2026, 2, 24)


def resolved(sentence: str, published: dt.date | None = TUESDAY_24_FEB) -> list[str | None]:
    return [d.date.iso() if d.date else None for d in find_dates(sentence, published)]


def test_an_article_dated_tuesday_24_feb_that_says_on_friday_means_the_friday_before():
    assert resolved("The ministers met on Friday in Canberra.") == ["2026-02-20"]


def test_a_future_weekday_is_the_next_one():
    assert resolved("The cabinet will meet on Thursday to approve it.") == ["2026-02-26"]


def test_the_weekday_of_publication_is_the_day_itself():
    assert resolved("Approval is expected on Tuesday at a cabinet meeting.") == ["2026-02-24"]


def test_last_week_inside_one_month_is_that_month():
    assert resolved("The country joined the grouping last week.") == ["2026-02"]


def test_last_week_across_a_month_boundary_is_only_the_year():
    assert resolved("Talks ended last week.", dt.date(2026, 3, 3)) == ["2026"]


def test_months_and_years():
    assert resolved("The convention takes place in March 2026.") == ["2026-03"]
    assert resolved("In 2022 the two countries identified five projects.") == ["2022"]
    assert resolved("It was signed on 14 January.") == ["2026-01-14"]
    assert resolved("It was signed on January 14, 2025.") == ["2025-01-14"]
    assert resolved("The agreement was signed last year.") == ["2025"]
    assert resolved("The minister arrives early next month.") == ["2026-03"]
    assert resolved("The deal was inked yesterday.") == ["2026-02-23"]
    assert resolved("Shipments began three days ago.") == ["2026-02-21"]


def test_without_a_publication_date_relative_dates_stay_unresolved():
    assert resolved("Sources said on Friday that talks began last week.", None) == [None, None]
    assert resolved("It was signed in March 2026.", None) == ["2026-03"]


def test_a_target_year_is_not_an_event_date():
    assert resolved("The country aims for net-zero emissions by 2070.") == []


def test_publication_date_styles():
    assert find_published_date(" date 2026-04-02 The ministry said")[0] == dt.date(2026, 4, 2)
    assert find_published_date("Text.\nPublished – January 15, 2026 12:08 am IST")[0] == dt.date(2026, 1, 15)
    assert find_published_date("Updated: 12 Feb 2026\nText")[0] == dt.date(2026, 2, 12)
    assert find_published_date("Last Updated: Mar 04, 2026, 10:12 IST\nText")[0] == dt.date(2026, 3, 4)
    assert find_published_date("Posted on 2025/11/04\nText")[0] == dt.date(2025, 11, 4)
    assert find_published_date("March 3, 2026 — The minister")[0] == dt.date(2026, 3, 3)
    assert find_published_date("TOKYO, March 3 (Reuters) - Japan said")[0] is None


def test_a_month_ahead_in_a_future_sentence_is_next_year():
    december = dt.date(2025, 12, 9)
    assert resolved("France takes over the presidency in January and will host the summit next June.", december) == [
        "2026-01",
        "2026-06",
    ]
    assert resolved("In June, leaders adopted an action plan.", december) == ["2025-06"]


def test_byline_and_header_date_styles():
    assert find_published_date("Title\n\nBy Chanda Mwila | Lusaka | 22 January 2026\n\nText.")[0] == dt.date(2026, 1, 22)
    assert find_published_date("Title\n\nLast Updated: Thu, 05 Mar 2026 19:40 IST\n\nText.")[0] == dt.date(2026, 3, 5)
    assert find_published_date("Title\n18/04/2026 | Business Desk\nText.")[0] == dt.date(2026, 4, 18)
    assert find_published_date("Title\n\nA Writer in Johannesburg | 11.12.2025\n\nText.")[0] == dt.date(2025, 12, 11)
    assert find_published_date("Title\nTuesday, 9 December 2025\nText.")[0] == dt.date(2025, 12, 9)
    # a date inside the first sentence of the story is not the publication date
    assert find_published_date("Title\nThe deal was signed on 3 March 2025 in Lima.\n")[0] is None


def test_a_day_and_month_without_a_year_is_the_last_such_day_before_the_article_when_told_in_the_past():
    published = dt.date(2025, 1, 9)
    [signed] = find_dates("On September 11, the Bolivian government signed a contract.", published)
    assert signed.date.value == dt.date(2024, 9, 11)
    [meeting] = find_dates("The ministers will meet on January 15 in Delhi.", dt.date(2024, 12, 20))
    assert meeting.date.value == dt.date(2025, 1, 15)
    [met] = find_dates("The ministers met on January 3 in Delhi.", published)
    assert met.date.value == dt.date(2025, 1, 3)


def test_a_day_without_a_year_close_to_publication_is_that_day_whatever_the_tense():
    # written on 22 December: the ban confirmed "on December 21" is the day before, not next year's
    assert (
        resolved("The president on December 21 confirmed a ban that will start in June.", dt.date(2026, 12, 22))[0]
        == "2026-12-21"
    )
    assert resolved("The ministers signed it on December 30.", dt.date(2027, 1, 4)) == ["2026-12-30"]
    assert resolved("The ministers will meet on January 8.", dt.date(2026, 12, 29)) == ["2027-01-08"]
